package dev.tcxsim.vm.truffle;

/** Test access to the package-private {@link StackUse}. */
public final class StackUseProbe {
    private StackUseProbe() {
    }

    public static int frameBytes(long[] insns) {
        return StackUse.frameBytes(insns, 0, insns.length);
    }
}
