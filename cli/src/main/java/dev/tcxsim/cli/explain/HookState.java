package dev.tcxsim.cli.explain;

import dev.tcxsim.kernel.BpfException;
import dev.tcxsim.kernel.BpfProcess;
import dev.tcxsim.kernel.QueryResult;
import dev.tcxsim.tcx.Errno;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * One tcx hook as BPF_PROG_QUERY reports it: its revision and its chain in execution order.
 * {@link #ABSENT} stands for a hook whose device does not exist (query said ENODEV).
 */
public record HookState(boolean present, long revision, List<Slot> chain) {
    /** The hook of a device that is not there. */
    public static final HookState ABSENT = new HookState(false, 0, List.of());

    /** One position of the chain: the program, its name for displays, and the owning link (0 = plain). */
    public record Slot(int progId, String progName, int linkId) {
        @Override
        public String toString() {
            return progName + " (prog " + progId + ", " + (linkId == 0 ? "plain" : "link " + linkId) + ")";
        }
    }

    public HookState {
        chain = List.copyOf(chain);
    }

    /** Queries one hook; names come from {@code names} (prog id → name). */
    public static HookState query(BpfProcess proc, int ifindex, int attachType, IntFunction<String> names)
            throws BpfException {
        QueryResult q;
        try {
            q = proc.progQuery(ifindex, attachType, 0, 64);
        } catch (BpfException e) {
            if (e.errno() == Errno.ENODEV) {
                return ABSENT;
            }
            throw e;
        }
        int[] progs = q.progIds();
        int[] links = q.linkIds();
        List<Slot> slots = new ArrayList<>();
        for (int i = 0; i < progs.length; i++) {
            slots.add(new Slot(progs[i], names.apply(progs[i]), links[i]));
        }
        return new HookState(true, q.revision(), slots);
    }

    /** Index of the slot holding this program, or -1. */
    public int indexOfProg(int progId) {
        for (int i = 0; i < chain.size(); i++) {
            if (chain.get(i).progId() == progId) {
                return i;
            }
        }
        return -1;
    }

    /** Index of the slot owned by this link, or -1. */
    public int indexOfLink(int linkId) {
        for (int i = 0; i < chain.size(); i++) {
            if (linkId != 0 && chain.get(i).linkId() == linkId) {
                return i;
            }
        }
        return -1;
    }

    /** True when chain and revision are the same (names are for display only). */
    public boolean sameAs(HookState o) {
        if (present != o.present || revision != o.revision || chain.size() != o.chain.size()) {
            return false;
        }
        for (int i = 0; i < chain.size(); i++) {
            if (chain.get(i).progId() != o.chain.get(i).progId() || chain.get(i).linkId() != o.chain.get(i).linkId()) {
                return false;
            }
        }
        return true;
    }

    /** "empty" or "audit (prog 1, plain) → count (prog 2, link 1)". */
    public String chainText() {
        if (!present) {
            return "(device gone)";
        }
        if (chain.isEmpty()) {
            return "empty";
        }
        StringBuilder sb = new StringBuilder();
        for (Slot s : chain) {
            sb.append(sb.isEmpty() ? "" : " → ").append(s);
        }
        return sb.toString();
    }
}
