package dev.tcxsim.kernel.sim;

import dev.tcxsim.vm.EbpfVm;
import dev.tcxsim.vm.LoadedProgram;
import dev.tcxsim.vm.RunResult;
import dev.tcxsim.vm.VerifierException;
import dev.tcxsim.vm.elf.ProgramSpec;
import dev.tcxsim.vm.maps.BpfMap;
import dev.tcxsim.vm.truffle.EbpfEngine;

import java.util.List;

/**
 * The real runtime: programs go through ebpf-vm's verifier and Truffle interpreter. While the
 * VM cannot run programs yet (its loader throws UnsupportedOperationException), the program
 * still loads — the control plane needs only its id, name and type — and every run reports a
 * fault that says so.
 */
final class VmRuntime implements ProgramRuntime {
    private final EbpfVm vm;

    VmRuntime(EbpfVm vm) {
        this.vm = vm;
    }

    static VmRuntime create() {
        return new VmRuntime(new EbpfVm(EbpfEngine.Mode.DEFAULT));
    }

    @Override
    public Executable load(ProgramSpec spec, List<BpfMap> maps) throws VerifierException {
        LoadedProgram loaded;
        try {
            loaded = vm.loadProgram(spec, maps);
        } catch (UnsupportedOperationException notYet) {
            String why = "ebpf-vm cannot run programs yet (" + notYet.getMessage() + ")";
            return (skb, env) -> new RunResult(2, null, why, 0);
        }
        return new VmExecutable(loaded);
    }

    /** A program the VM prepared; prog arrays hold the {@link LoadedProgram} itself. */
    record VmExecutable(LoadedProgram loaded) implements Executable {
        @Override
        public RunResult run(dev.tcxsim.vm.ctx.SkBuff skb, dev.tcxsim.vm.RunEnv env) {
            return loaded.run(skb, env);
        }
    }
}
