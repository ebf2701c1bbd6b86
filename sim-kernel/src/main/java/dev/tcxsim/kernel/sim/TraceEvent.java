package dev.tcxsim.kernel.sim;

import java.util.List;

/**
 * One step of a packet's way through the simulated kernel.
 *
 * @param kind        what happened
 * @param device      the device it happened on
 * @param hook        "ingress", "egress" or "" for steps outside a hook
 * @param progId      program id for program runs, else 0
 * @param progName    program name for program runs, else ""
 * @param linkId      owning link id for tcx runs, 0 for a plain attachment or non-tcx steps
 * @param prio        classic filter prio (CLASSIC_RUN), else 0
 * @param handle      classic filter handle (CLASSIC_RUN), else 0
 * @param returnValue the program's return value (runs), else 0
 * @param verdict     the meaning of the return value (TcxVerdict or TC_ACT name), or the fate
 * @param target      redirect target ifindex (REDIRECT), else 0
 * @param reason      drop reason (DROP), fault text, or a note
 * @param printk      bpf_trace_printk lines of this run
 * @param mapWrites   map updates of this run, as "map[key]=value" in hex
 */
public record TraceEvent(Kind kind, String device, String hook, int progId, String progName, int linkId, int prio,
                         int handle, int returnValue, String verdict, int target, String reason, List<String> printk,
                         List<String> mapWrites) {
    public enum Kind {
        /** a frame arrives on a device (what a packet tap sees) */
        RECEIVE,
        /** a frame is sent out of a device */
        TRANSMIT,
        /** one tcx program ran */
        TCX_RUN,
        /** one classic cls_bpf program ran */
        CLASSIC_RUN,
        /** the packet was handed to a local socket */
        DELIVER,
        /** the packet was dropped */
        DROP,
        /** classic tc consumed it (STOLEN/QUEUED/TRAP) */
        CONSUME,
        /** a redirect is performed */
        REDIRECT,
        /** the packet left the simulation (e.g. a dummy device's xmit) */
        LEAVE
    }

    public TraceEvent {
        printk = List.copyOf(printk);
        mapWrites = List.copyOf(mapWrites);
    }

    static TraceEvent step(Kind kind, String device, String hook, String verdict, int target, String reason) {
        return new TraceEvent(kind, device, hook, 0, "", 0, 0, 0, 0, verdict, target, reason, List.of(), List.of());
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(kind.name().toLowerCase()).append(' ').append(device);
        if (!hook.isEmpty()) {
            sb.append(' ').append(hook);
        }
        if (kind == Kind.TCX_RUN || kind == Kind.CLASSIC_RUN) {
            sb.append(" prog ").append(progId).append(' ').append(progName);
            if (kind == Kind.TCX_RUN) {
                sb.append(linkId == 0 ? " (plain)" : " (link " + linkId + ")");
            } else {
                sb.append(" (prio ").append(prio).append(" handle ").append(handle).append(')');
            }
            sb.append(" -> ").append(returnValue).append(' ').append(verdict);
        } else if (verdict != null && !verdict.isEmpty()) {
            sb.append(' ').append(verdict);
        }
        if (target != 0) {
            sb.append(" to ifindex ").append(target);
        }
        if (reason != null && !reason.isEmpty()) {
            sb.append(" (").append(reason).append(')');
        }
        for (String p : printk) {
            sb.append("\n    printk: ").append(p);
        }
        for (String w : mapWrites) {
            sb.append("\n    map write: ").append(w);
        }
        return sb.toString();
    }
}
