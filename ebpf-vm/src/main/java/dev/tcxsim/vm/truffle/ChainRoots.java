package dev.tcxsim.vm.truffle;

import com.oracle.truffle.api.CallTarget;
import dev.tcxsim.vm.LoadedProgram;

import java.util.List;
import java.util.function.Supplier;

/** Builds the Truffle root of a {@link dev.tcxsim.vm.ProgramChain} (nodes are made inside the engine's context). */
public final class ChainRoots {
    private ChainRoots() {
    }

    public static CallTarget build(List<LoadedProgram> programs, Supplier<AutoCloseable> enter) {
        CallTarget[] entries = new CallTarget[programs.size()];
        for (int i = 0; i < entries.length; i++) {
            entries[i] = ((TruffleProgram) programs.get(i).executor()).entryTarget();
        }
        try (AutoCloseable entered = enter.get()) {
            return new ChainRootNode(EbpfLanguage.get(null), programs.toArray(LoadedProgram[]::new), entries)
                    .getCallTarget();
        } catch (Exception e) {
            throw new IllegalStateException("cannot build the Truffle root of a chain: " + e, e);
        }
    }
}
