package dev.tcxsim.cli;

import dev.tcxsim.kernel.BpfException;
import dev.tcxsim.tcx.Errno;

/**
 * A command that failed. Printed as one line, {@code Error: <what>: <strerror> (<ERRNO>)} when a
 * kernel call refused, or {@code Error: <what>} for a usage mistake.
 */
public final class CliError extends Exception {
    private final Errno errno;

    public CliError(String what) {
        super(what);
        this.errno = null;
    }

    public CliError(String what, Errno errno) {
        super(what);
        this.errno = errno;
    }

    /** A kernel refusal while doing {@code what}. */
    public static CliError of(String what, BpfException e) {
        return new CliError(what, e.errno());
    }

    /** The errno, or null for a usage error. */
    public Errno errno() {
        return errno;
    }

    /** The one line printed on stderr. */
    public String line() {
        return errno == null ? "Error: " + getMessage()
                : "Error: " + getMessage() + ": " + errno.message() + " (" + errno.name() + ")";
    }
}
