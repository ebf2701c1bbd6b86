package dev.tcxsim.conformance.cases;

import dev.tcxsim.kernel.BpfException;
import dev.tcxsim.kernel.BpfProcess;
import dev.tcxsim.kernel.Kernel;
import dev.tcxsim.kernel.QueryResult;
import dev.tcxsim.kernel.Uapi;
import dev.tcxsim.tcx.Errno;
import dev.tcxsim.vm.elf.ProgramSpec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Small vocabulary shared by the cases: programs "r0 = K; exit", attach shorthands, errno checks. */
final class Tcx {
    static final int INGRESS = Uapi.BPF_TCX_INGRESS;
    static final int EGRESS = Uapi.BPF_TCX_EGRESS;
    static final int REPLACE = Uapi.BPF_F_REPLACE;
    static final int BEFORE = Uapi.BPF_F_BEFORE;
    static final int AFTER = Uapi.BPF_F_AFTER;
    static final int ID = Uapi.BPF_F_ID;
    static final int LINK = Uapi.BPF_F_LINK;
    static final int SCHED_CLS = Uapi.BPF_PROG_TYPE_SCHED_CLS;

    private Tcx() {
    }

    /** A SCHED_CLS program "r0 = k; exit". */
    static ProgramSpec ret(String name, int k) {
        return ProgramSpec.raw(name, SCHED_CLS, 0xb7L | ((long) k << 32), 0x95L);
    }

    static int load(BpfProcess p, String name, int k) throws BpfException {
        return p.progLoad(ret(name, k), new int[0]);
    }

    /** {@code n} programs "pN" returning TCX_NEXT. */
    static int[] loadMany(BpfProcess p, String prefix, int n) throws BpfException {
        int[] fds = new int[n];
        for (int i = 0; i < n; i++) {
            fds[i] = load(p, prefix + i, -1);
        }
        return fds;
    }

    static int id(BpfProcess p, int progFd) throws BpfException {
        return p.progInfo(progFd).id();
    }

    static int[] ids(BpfProcess p, int... progFds) throws BpfException {
        int[] out = new int[progFds.length];
        for (int i = 0; i < progFds.length; i++) {
            out[i] = id(p, progFds[i]);
        }
        return out;
    }

    static int linkId(BpfProcess p, int linkFd) throws BpfException {
        return p.linkInfo(linkFd).id();
    }

    static void attach(BpfProcess p, int ifindex, int progFd) throws BpfException {
        p.progAttach(ifindex, INGRESS, progFd, 0, 0, 0, 0);
    }

    static void attach(BpfProcess p, int ifindex, int progFd, int flags, int relative) throws BpfException {
        p.progAttach(ifindex, INGRESS, progFd, flags, relative, 0, 0);
    }

    static QueryResult query(BpfProcess p, int ifindex) throws BpfException {
        return p.progQuery(ifindex, INGRESS, 0, 64);
    }

    static int[] order(BpfProcess p, int ifindex) throws BpfException {
        return query(p, ifindex).progIds();
    }

    static long revision(BpfProcess p, int ifindex) throws BpfException {
        return query(p, ifindex).revision();
    }

    /** A fresh dummy device for one case. */
    static int dummy(Kernel k, String name) throws BpfException {
        return k.addDummy(name);
    }

    interface Call {
        void run() throws Exception;
    }

    /** Runs {@code call} and asserts it fails with {@code expected}. */
    static void errno(Errno expected, Call call) throws Exception {
        try {
            call.run();
        } catch (BpfException e) {
            assertEquals(expected, e.errno(), e.getMessage());
            return;
        }
        fail("expected " + expected + " but the call succeeded");
    }
}
