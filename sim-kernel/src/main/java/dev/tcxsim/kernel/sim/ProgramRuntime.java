package dev.tcxsim.kernel.sim;

import dev.tcxsim.vm.RunEnv;
import dev.tcxsim.vm.RunResult;
import dev.tcxsim.vm.VerifierException;
import dev.tcxsim.vm.ctx.SkBuff;
import dev.tcxsim.vm.elf.ProgramSpec;
import dev.tcxsim.vm.maps.BpfMap;

import java.util.List;

/** How the simulated kernel turns a loaded program into something it can run on packets. */
public interface ProgramRuntime extends AutoCloseable {
    /** A program ready to run; must be safe to run from several threads. */
    interface Executable {
        RunResult run(SkBuff skb, RunEnv env);
    }

    /** Verifies and prepares {@code spec}; map relocations index {@code maps}. */
    Executable load(ProgramSpec spec, List<BpfMap> maps) throws VerifierException;

    /** Releases what the runtime holds (the VM's Truffle context); programs must not run afterwards. */
    @Override
    default void close() {
    }
}
