package dev.tcxsim.kernel.sim;

import java.util.ArrayList;
import java.util.List;

/** The steps of one transmit, in order. */
public final class Trace {
    private final List<TraceEvent> events = new ArrayList<>();
    private boolean egressDropped;

    synchronized void add(TraceEvent e) {
        events.add(e);
    }

    synchronized void egressDropped(boolean dropped) {
        egressDropped = dropped;
    }

    /** True when the sending device's own egress path dropped the frame (sendto's ENOBUFS). */
    public synchronized boolean egressDropped() {
        return egressDropped;
    }

    public synchronized List<TraceEvent> events() {
        return List.copyOf(events);
    }

    /** The packet's final fate: the last DELIVER, DROP, CONSUME or LEAVE step, or null. */
    public synchronized TraceEvent fate() {
        for (int i = events.size() - 1; i >= 0; i--) {
            TraceEvent e = events.get(i);
            switch (e.kind()) {
                case DELIVER, DROP, CONSUME, LEAVE -> {
                    return e;
                }
                default -> {
                }
            }
        }
        return null;
    }

    @Override
    public synchronized String toString() {
        StringBuilder sb = new StringBuilder();
        for (TraceEvent e : events) {
            sb.append(e).append('\n');
        }
        return sb.toString();
    }
}
