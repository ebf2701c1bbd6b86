package dev.tcxsim.conformance.harness;

import dev.tcxsim.kernel.BpfException;
import dev.tcxsim.kernel.Kernel;
import dev.tcxsim.kernel.sim.SimKernel;
import dev.tcxsim.linux.LinuxKernel;
import dev.tcxsim.linux.ffm.KernelRequirement;

import java.util.List;
import java.util.Locale;

/** The kernels a conformance case can run on. */
public enum Backend {
    SIM("sim"),
    LINUX("linux");

    private final String label;

    Backend(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Why this backend cannot run here, or null when it can. */
    public String whyUnavailable() {
        return this == LINUX ? KernelRequirement.whyUnavailable() : null;
    }

    /** Whether a missing backend must fail rather than skip (the real kernel on root Linux >= 6.6). */
    public boolean required() {
        return this == SIM || KernelRequirement.required();
    }

    /** A fresh kernel session: a new simulated kernel, or a new namespace on the real one. */
    public Kernel open() {
        if (this == SIM) {
            return new SimKernel();
        }
        try {
            return LinuxKernel.open();
        } catch (BpfException e) {
            throw new IllegalStateException("cannot open the linux kernel: " + e.getMessage(), e);
        }
    }

    /** The backends selected by {@code -Dtcxsim.backends=sim,linux} (default: both). */
    public static List<Backend> selected() {
        String prop = System.getProperty("tcxsim.backends", "sim,linux").toLowerCase(Locale.ROOT);
        return java.util.Arrays.stream(values()).filter(b -> prop.contains(b.label)).toList();
    }
}
