package dev.tcxsim.vm.truffle;

import com.oracle.truffle.api.CallTarget;
import com.oracle.truffle.api.TruffleContext;
import com.oracle.truffle.api.TruffleLanguage;
import com.oracle.truffle.api.nodes.Node;

/**
 * The eBPF machine as a Truffle language. Programs are not parsed from source text: the ELF loader
 * builds root nodes directly and hands out their call targets, so {@link #parse} only refuses.
 * A host enters a polyglot context for this language (see {@link EbpfEngine}) and then calls
 * program call targets from Java.
 */
@TruffleLanguage.Registration(id = EbpfLanguage.ID, name = "eBPF", version = "0.1",
        characterMimeTypes = "application/x-ebpf", contextPolicy = TruffleLanguage.ContextPolicy.SHARED)
public final class EbpfLanguage extends TruffleLanguage<EbpfLanguage.State> {
    public static final String ID = "ebpf";

    private static final LanguageReference<EbpfLanguage> LANGUAGE = LanguageReference.create(EbpfLanguage.class);
    private static final ContextReference<State> STATE = ContextReference.create(EbpfLanguage.class);

    /**
     * Per-context state: only the context's handle, so that code outside any run (a timer firing)
     * can enter the context its programs were built in. The machine keeps its state in program and
     * map objects.
     */
    public static final class State {
        final TruffleContext context;

        State(TruffleContext context) {
            this.context = context;
        }
    }

    @Override
    protected State createContext(Env env) {
        return new State(env.getContext());
    }

    /** The entered context's handle (host side). */
    static TruffleContext currentContext() {
        return STATE.get(null).context;
    }

    /** Programs run on whichever threads the simulated datapath uses, several at once. */
    @Override
    protected boolean isThreadAccessAllowed(Thread thread, boolean singleThreaded) {
        return true;
    }

    @Override
    protected CallTarget parse(ParsingRequest request) {
        throw new UnsupportedOperationException(
                "eBPF programs are loaded from ELF objects with dev.tcxsim.vm.elf, not parsed from source text");
    }

    /** The language instance of the entered context; {@code node} may be null on the host side. */
    public static EbpfLanguage get(Node node) {
        return LANGUAGE.get(node);
    }
}
