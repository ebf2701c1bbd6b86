package dev.tcxsim.conformance.harness;

import dev.tcxsim.kernel.Kernel;
import dev.tcxsim.linux.ffm.KernelRequirement;

import java.util.List;
import java.util.Locale;

/** The kernels a conformance case can run on. */
public enum Backend {
    SIM("sim", "dev.tcxsim.kernel.sim.SimKernel"),
    LINUX("linux", "dev.tcxsim.linux.LinuxKernel");

    private final String label;
    private final String className;

    Backend(String label, String className) {
        this.label = label;
        this.className = className;
    }

    public String label() {
        return label;
    }

    /** Why this backend cannot run here, or null when it can. */
    public String whyUnavailable() {
        if (this == LINUX) {
            String why = KernelRequirement.whyUnavailable();
            if (why != null) {
                return why;
            }
        }
        try {
            Class.forName(className);
            return null;
        } catch (ClassNotFoundException e) {
            return "backend class " + className + " is not on the class path";
        }
    }

    /** Whether a missing backend must fail rather than skip (the real kernel on root Linux >= 6.6). */
    public boolean required() {
        return this == SIM || KernelRequirement.required();
    }

    /**
     * A fresh kernel session (a new simulated kernel, or a new namespace on the real one): the
     * class's static {@code open()} when it has one, else its no-argument constructor.
     */
    public Kernel open() {
        try {
            Class<?> type = Class.forName(className);
            try {
                return (Kernel) type.getMethod("open").invoke(null);
            } catch (NoSuchMethodException e) {
                return (Kernel) type.getConstructor().newInstance();
            }
        } catch (ReflectiveOperationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("cannot open the " + label + " kernel: " + cause, cause);
        }
    }

    /** The backends selected by {@code -Dtcxsim.backends=sim,linux} (default: both). */
    public static List<Backend> selected() {
        String prop = System.getProperty("tcxsim.backends", "sim,linux").toLowerCase(Locale.ROOT);
        return java.util.Arrays.stream(values()).filter(b -> prop.contains(b.label)).toList();
    }
}
