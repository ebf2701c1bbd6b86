package dev.tcxsim.vm.truffle;

import com.oracle.truffle.api.Truffle;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;

import java.util.Map;

/**
 * One polyglot context for the eBPF language, entered on the thread that runs programs.
 *
 * <p>The execution mode decides how Truffle treats our call targets: {@link Mode#DEFAULT} is the
 * normal tiered compilation, {@link Mode#INTERPRETED} never compiles (the baseline that the
 * benchmarks divide by), {@link Mode#COMPILE_IMMEDIATELY} compiles every call target on its first
 * call, synchronously, and turns a compilation failure into an exception so tests see it.
 */
public final class EbpfEngine implements AutoCloseable {
    public enum Mode { DEFAULT, INTERPRETED, COMPILE_IMMEDIATELY }

    private final Context context;
    private final Mode mode;
    private volatile boolean creatorEntered;

    public EbpfEngine(Mode mode) {
        this(mode, Map.of());
    }

    public EbpfEngine(Mode mode, Map<String, String> extraOptions) {
        this.mode = mode;
        Context.Builder builder = Context.newBuilder(EbpfLanguage.ID)
                .allowExperimentalOptions(true)
                .option("engine.WarnInterpreterOnly", "false");
        switch (mode) {
            case INTERPRETED -> builder.option("engine.Compilation", "false");
            case COMPILE_IMMEDIATELY -> builder
                    .option("engine.CompileImmediately", "true")
                    .option("engine.BackgroundCompilation", "false")
                    .option("engine.CompilationFailureAction", "Throw");
            case DEFAULT -> { }
        }
        extraOptions.forEach(builder::option);
        this.context = builder.build();
        context.initialize(EbpfLanguage.ID);
        context.enter();
        creatorEntered = true;
    }

    /** Leaves the context on the thread that made this engine (runs enter it per call instead). */
    public void leaveCreatorThread() {
        if (creatorEntered) {
            creatorEntered = false;
            context.leave();
        }
    }

    /**
     * Enters the context on the calling thread (nesting is allowed) until the returned handle is
     * closed. Programs may run on several threads at once: the language allows multi-threaded access.
     */
    public AutoCloseable enterCurrentThread() {
        context.enter();
        return context::leave;
    }

    public Mode mode() {
        return mode;
    }

    public EbpfLanguage language() {
        return EbpfLanguage.get(null);
    }

    /** The Truffle runtime's name: "GraalVM CE" when the optimizing runtime is active, "Interpreted" otherwise. */
    public static String runtimeName() {
        return Truffle.getRuntime().getName();
    }

    /** The Graal compiler is reachable iff the runtime is not the fallback interpreter. */
    public static boolean isOptimizing() {
        return !"Interpreted".equals(runtimeName());
    }

    /** The engine's version of Truffle. */
    public static String truffleVersion() {
        try (Engine engine = Engine.newBuilder().option("engine.WarnInterpreterOnly", "false").build()) {
            return engine.getVersion();
        }
    }

    @Override
    public void close() {
        if (creatorEntered) {
            creatorEntered = false;
            context.leave();
        }
        context.close();
    }
}
