package dev.tcxsim.vm;

import dev.tcxsim.vm.elf.BpfObject;
import dev.tcxsim.vm.elf.ProgramSpec;
import dev.tcxsim.vm.maps.BpfMap;
import dev.tcxsim.vm.truffle.EbpfEngine;

import java.util.List;

/** Loads programs and runs them through the Truffle interpreter (or the reference interpreter). */
public final class EbpfVm implements AutoCloseable {
    private final EbpfEngine.Mode mode;

    public EbpfVm(EbpfEngine.Mode mode) {
        this.mode = mode;
    }

    public EbpfEngine.Mode mode() {
        return mode;
    }

    /** Creates all maps of {@code obj}, resolves its relocations and verifies and prepares every program. */
    public LoadedObject load(BpfObject obj) throws VerifierException {
        throw new UnsupportedOperationException("not yet");
    }

    /** Verifies and prepares one program; {@code mapsByIndex} resolves the program's relocations' map indexes. */
    public LoadedProgram loadProgram(ProgramSpec spec, List<BpfMap> mapsByIndex) throws VerifierException {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public void close() {
    }
}
