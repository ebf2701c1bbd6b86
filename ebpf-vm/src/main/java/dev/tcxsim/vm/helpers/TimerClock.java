package dev.tcxsim.vm.helpers;

import dev.tcxsim.vm.RunEnv;
import dev.tcxsim.vm.maps.BpfMap;

import java.util.ArrayList;
import java.util.List;

/**
 * A run environment whose clock only moves when Java moves it, and which fires the bpf_timers
 * that programs run with it started. bpf_ktime_get_ns reads {@link #nowNs()}; everything else is
 * delegated to the wrapped environment.
 *
 * <pre>
 * TimerClock clock = new TimerClock(RunEnv.DEFAULT, 0);
 * program.run(skb, clock);              // the program calls bpf_timer_start(t, 1000, 0)
 * clock.advanceBy(1000);                // the callback runs now, seeing ktime 1000
 * </pre>
 */
public final class TimerClock implements RunEnv {
    /** One callback run: which timer, at what time, and its fault (null when it ran to its exit). */
    public record Fired(String timer, long atNs, String fault) {
    }

    private final RunEnv delegate;
    private volatile long now;
    /** Timers armed on this clock; guarded by BpfTimers' class lock. */
    private final List<BpfTimers.Timer> scheduled = new ArrayList<>();

    public TimerClock(RunEnv delegate, long startNs) {
        this.delegate = delegate == null ? RunEnv.DEFAULT : delegate;
        this.now = startNs;
    }

    @Override
    public long nowNs() {
        return now;
    }

    /**
     * Moves the clock to {@code targetNs}, firing every timer due by then in expiry order (the
     * clock reads each one's expiry while its callback runs, so callbacks that re-arm are fired
     * again if they fall due before the target). Returns the callbacks run. The clock never goes back.
     */
    public List<Fired> advanceTo(long targetNs) {
        List<Fired> fired = new ArrayList<>();
        while (true) {
            BpfTimers.Timer t = BpfTimers.takeDue(this, scheduled, targetNs);
            if (t == null) {
                break;
            }
            now = Math.max(now, t.expiryNs);
            fired.add(new Fired(t.toString(), now, t.fire(this)));
        }
        now = Math.max(now, targetNs);
        return fired;
    }

    /** {@link #advanceTo} {@code now + ns}. */
    public List<Fired> advanceBy(long ns) {
        return advanceTo(now + ns);
    }

    /** Armed timers waiting on this clock. */
    public int pending() {
        synchronized (BpfTimers.class) {
            return (int) scheduled.stream().filter(t -> t.armed).count();
        }
    }

    void schedule(BpfTimers.Timer t) {
        if (!scheduled.contains(t)) {
            scheduled.add(t);
        }
    }

    void forget(BpfTimers.Timer t) {
        scheduled.remove(t);
    }

    @Override
    public int cpu() {
        return delegate.cpu();
    }

    @Override
    public void tracePrintk(String line) {
        delegate.tracePrintk(line);
    }

    @Override
    public void mapWrite(BpfMap map, byte[] key, byte[] value) {
        delegate.mapWrite(map, key, value);
    }

    @Override
    public void tracePrintk(int chainIndex, String line) {
        delegate.tracePrintk(chainIndex, line);
    }

    @Override
    public void mapWrite(int chainIndex, BpfMap map, byte[] key, byte[] value) {
        delegate.mapWrite(chainIndex, map, key, value);
    }

    @Override
    public long prandomSeed() {
        return delegate.prandomSeed();
    }

    @Override
    public NetDevice device(int ifindex) {
        return delegate.device(ifindex);
    }

    @Override
    public int cloneRedirect(int ifindex, boolean ingress, byte[] frame) {
        return delegate.cloneRedirect(ifindex, ingress, frame);
    }

    @Override
    public int fibLookup(byte[] params, int flags) {
        return delegate.fibLookup(params, flags);
    }
}
