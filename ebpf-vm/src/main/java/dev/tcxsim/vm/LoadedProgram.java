package dev.tcxsim.vm;

import dev.tcxsim.vm.ctx.SkBuff;
import dev.tcxsim.vm.elf.ProgramSpec;

/** A verified program, ready to run on packets. Safe to run from several threads at once. */
public final class LoadedProgram {
    private final ProgramSpec spec;

    LoadedProgram(ProgramSpec spec) {
        this.spec = spec;
    }

    public String name() {
        return spec.name();
    }

    public ProgramSpec spec() {
        return spec;
    }

    public int insnCount() {
        return spec.insns().length;
    }

    /** Runs the program on {@code skb}. Never throws for program faults: they come back in {@link RunResult#fault()}. */
    public RunResult run(SkBuff skb, RunEnv env) {
        throw new UnsupportedOperationException("not yet");
    }
}
