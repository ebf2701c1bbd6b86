package dev.tcxsim.kernel.sim;

import dev.tcxsim.vm.EbpfVm;
import dev.tcxsim.vm.LoadedProgram;
import dev.tcxsim.vm.RunEnv;
import dev.tcxsim.vm.RunResult;
import dev.tcxsim.vm.VerifierException;
import dev.tcxsim.vm.ctx.SkBuff;
import dev.tcxsim.vm.elf.ProgramSpec;
import dev.tcxsim.vm.maps.BpfMap;
import dev.tcxsim.vm.truffle.EbpfEngine;

import java.util.List;

/** The real runtime: programs go through ebpf-vm's verifier and Truffle interpreter. */
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
        return new VmExecutable(vm.loadProgram(spec, maps));
    }

    @Override
    public void close() {
        vm.close();
    }

    /** A program the VM prepared; prog arrays hold the {@link LoadedProgram} itself. */
    record VmExecutable(LoadedProgram loaded) implements Executable {
        @Override
        public RunResult run(SkBuff skb, RunEnv env) {
            return loaded.run(skb, env);
        }
    }
}
