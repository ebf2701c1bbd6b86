package dev.tcxsim.cli;

import dev.tcxsim.kernel.BpfException;
import dev.tcxsim.kernel.DeviceInfo;
import dev.tcxsim.kernel.QueryResult;
import dev.tcxsim.kernel.TcDirection;
import dev.tcxsim.kernel.TcFilter;
import dev.tcxsim.kernel.Uapi;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a real kernel lets us observe of a packet's way: each attached program's run counter
 * (bpf_prog_info.run_cnt, counted while the session holds BPF_ENABLE_STATS). A snapshot before
 * and after a send tells which programs ran, in hook order, and how often. The counter is the
 * program's, not the hook's: a program attached at two hooks shows its total at both.
 */
final class RunCounters {
    private RunCounters() {
    }

    /** "dev hook tcx prog ID NAME (plain|link N)" or "dev hook classic prio P handle H prog ID NAME" → run count. */
    static Map<String, Long> snapshot(Session s) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (DeviceInfo d : s.kernel.devices()) {
            for (int type : new int[] {Uapi.BPF_TCX_EGRESS, Uapi.BPF_TCX_INGRESS}) {
                String hook = type == Uapi.BPF_TCX_INGRESS ? "ingress" : "egress";
                try {
                    QueryResult q = s.proc.progQuery(d.ifindex(), type, 0, 64);
                    int[] ids = q.progIds();
                    int[] links = q.linkIds();
                    for (int i = 0; i < ids.length; i++) {
                        count(s, counts, ids[i], d.name() + " " + hook + " tcx prog " + ids[i] + " " + s.progName(ids[i])
                                + (links[i] == 0 ? " (plain)" : " (link " + links[i] + ")"));
                    }
                } catch (BpfException e) {
                    // a device that vanished meanwhile: nothing to count
                }
                try {
                    TcDirection dir = type == Uapi.BPF_TCX_INGRESS ? TcDirection.INGRESS : TcDirection.EGRESS;
                    for (TcFilter f : s.kernel.filters(d.name(), dir)) {
                        count(s, counts, f.progId(), d.name() + " " + hook + " classic prio " + f.prio() + " handle 0x"
                                + Integer.toHexString(f.handle()) + " prog " + f.progId() + " " + f.progName());
                    }
                } catch (BpfException e) {
                    // no clsact qdisc
                }
            }
        }
        return counts;
    }

    private static void count(Session s, Map<String, Long> counts, int progId, String label) {
        try {
            int fd = s.proc.progGetFdById(progId);
            try {
                counts.put(label, s.proc.progInfo(fd).runCount());
            } finally {
                s.proc.close(fd);
            }
        } catch (BpfException e) {
            counts.put(label, -1L);
        }
    }

    /** The programs whose counter grew, with how many runs, in hook order. */
    static List<String> ran(Map<String, Long> before, Map<String, Long> after) {
        List<String> out = new ArrayList<>();
        after.forEach((label, n) -> {
            long was = before.getOrDefault(label, 0L);
            if (n > was && was >= 0) {
                out.add(label + "  ran " + (n - was) + "x");
            }
        });
        return out;
    }

    /**
     * The programs whose counter grew, as runs without ids (for comparing with the simulator): a
     * program that ran n times appears n times.
     */
    static List<Shadow.Run> runs(Map<String, Long> before, Map<String, Long> after) {
        List<Shadow.Run> out = new ArrayList<>();
        after.forEach((label, n) -> {
            long was = before.getOrDefault(label, 0L);
            if (n > was && was >= 0) {
                Shadow.Run run = run(label);
                for (long i = was; i < n; i++) {
                    out.add(run);
                }
            }
        });
        return out;
    }

    /** The run of a snapshot label: device, hook, tcx|classic, and the name after "prog ID". */
    static Shadow.Run run(String label) {
        String[] w = label.split(" ");
        int prog = 3;
        while (prog < w.length && !w[prog].equals("prog")) {
            prog++;
        }
        String name = prog + 2 < w.length ? w[prog + 2] : "?";
        return new Shadow.Run(w[0], w[1], w[2], name);
    }
}
