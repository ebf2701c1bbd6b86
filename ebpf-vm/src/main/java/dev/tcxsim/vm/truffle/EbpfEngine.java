package dev.tcxsim.vm.truffle;

import com.oracle.truffle.api.Truffle;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;

import java.util.Map;

/**
 * A polyglot context for the eBPF language, and how threads enter it.
 *
 * <p>The execution mode decides how Truffle treats our call targets: {@link Mode#DEFAULT} is the
 * normal tiered compilation, {@link Mode#INTERPRETED} never compiles (the baseline that the
 * benchmarks divide by), {@link Mode#COMPILE_IMMEDIATELY} compiles every call target on its first
 * call, synchronously, and turns a compilation failure into an exception so tests see it.
 *
 * <h2>Entering without paying per run</h2>
 * Truffle only lets a thread call our call targets while the context that made them is entered
 * on it. Entering and leaving around every run costs more than a small program's whole run, so
 * the VMs share one context per mode ({@link #shared}) that a thread enters the first time it
 * runs a program and never leaves: later runs on that thread only compare a thread-local. Such a
 * context lives as long as the JVM (closing a context that idle threads still have entered would
 * wait for them forever). A private engine ({@link #EbpfEngine(Mode, Map)}, for special options)
 * and a shared one that is not the thread's current context are entered and left per run.
 */
public final class EbpfEngine implements AutoCloseable {
    public enum Mode { DEFAULT, INTERPRETED, COMPILE_IMMEDIATELY }

    private static final java.util.EnumMap<Mode, EbpfEngine> SHARED = new java.util.EnumMap<>(Mode.class);
    /** The engine whose context is the innermost one entered on this thread by this class. */
    private static final ThreadLocal<EbpfEngine> CURRENT = new ThreadLocal<>();
    private static final AutoCloseable NOTHING_TO_LEAVE = () -> { };

    private final Context context;
    private final Mode mode;
    private final boolean shared;
    private volatile boolean creatorEntered;

    public EbpfEngine(Mode mode) {
        this(mode, Map.of());
    }

    public EbpfEngine(Mode mode, Map<String, String> extraOptions) {
        this(mode, extraOptions, false);
    }

    private EbpfEngine(Mode mode, Map<String, String> extraOptions, boolean shared) {
        this.mode = mode;
        this.shared = shared;
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
        if (!shared) {
            context.enter();
            creatorEntered = true;
        }
    }

    /** The JVM-wide engine of {@code mode}, made on first use; {@link #close()} on it does nothing. */
    public static EbpfEngine shared(Mode mode) {
        synchronized (SHARED) {
            return SHARED.computeIfAbsent(mode, m -> new EbpfEngine(m, Map.of(), true));
        }
    }

    /** Leaves the context on the thread that made this engine (runs enter it per call instead). */
    public void leaveCreatorThread() {
        if (creatorEntered) {
            creatorEntered = false;
            context.leave();
        }
    }

    /**
     * Makes this engine's context the current one on the calling thread until the returned handle is
     * closed. Cheap when it already is (a thread-local compare); a shared engine is entered for good
     * on a thread that has entered none of ours yet. Programs may run on several threads at once.
     */
    public AutoCloseable enterCurrentThread() {
        EbpfEngine previous = CURRENT.get();
        if (previous == this) {
            return NOTHING_TO_LEAVE;
        }
        context.enter();
        if (shared && previous == null) {
            CURRENT.set(this); // stays entered on this thread
            return NOTHING_TO_LEAVE;
        }
        CURRENT.set(this);
        return () -> {
            CURRENT.set(previous);
            context.leave();
        };
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
        if (shared) {
            return;
        }
        if (creatorEntered) {
            creatorEntered = false;
            context.leave();
        }
        context.close();
    }
}
