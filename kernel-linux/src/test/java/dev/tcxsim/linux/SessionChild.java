package dev.tcxsim.linux;

import dev.tcxsim.kernel.BpfProcess;
import dev.tcxsim.kernel.Uapi;
import dev.tcxsim.kernel.VethPair;
import dev.tcxsim.vm.elf.ProgramSpec;

/**
 * A JVM that opens a kernel session, fills it, reports where it lives and then never closes it:
 * {@link ShutdownCleanupTest} ends this JVM from outside and checks that the shutdown hook cleaned up.
 */
public final class SessionChild {
    private SessionChild() {
    }

    public static void main(String[] args) throws Exception {
        LinuxKernel kernel = LinuxKernel.open();
        VethPair pair = kernel.addVeth("child0", "child1");
        BpfProcess p = kernel.process("child");
        int prog = p.progLoad(ProgramSpec.raw("child", Uapi.BPF_PROG_TYPE_SCHED_CLS, RealKernel.ret(0)), new int[0]);
        int link = p.linkCreate(prog, pair.ifindex(), Uapi.BPF_TCX_INGRESS, 0, 0, 0);
        p.objPin(link, "child_link");
        kernel.qdiscAddClsact("child1");
        System.out.println("READY " + kernel.session().bpffs() + " " + kernel.session().netnsInode());
        System.out.flush();
        if (args.length > 0 && args[0].equals("exit")) {
            System.exit(3);
        }
        Thread.sleep(Long.MAX_VALUE);
    }
}
