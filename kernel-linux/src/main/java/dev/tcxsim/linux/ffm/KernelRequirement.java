package dev.tcxsim.linux.ffm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decides whether real-kernel tests may skip. On a machine that can run them (root, Linux >= 6.6
 * with bpf(2)) a skip would hide a broken backend, so there they are required and fail instead.
 *
 * <p>The system property {@code tcxsim.kernel.required} overrides: {@code true}, {@code false},
 * or {@code auto} (the default: required when running as root on Linux >= 6.6).
 */
public final class KernelRequirement {
    public static final String PROPERTY = "tcxsim.kernel.required";

    private KernelRequirement() {
    }

    /** uname's release, e.g. "6.18.44-fc-v782". */
    public static String release() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        } catch (IOException e) {
            return System.getProperty("os.version", "unknown");
        }
    }

    /** {major, minor} of the running kernel, or {0, 0} when it cannot be read. */
    public static int[] version() {
        Matcher m = Pattern.compile("^(\\d+)\\.(\\d+)").matcher(release());
        return m.find() ? new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))} : new int[] {0, 0};
    }

    public static boolean atLeast(int major, int minor) {
        int[] v = version();
        return v[0] > major || (v[0] == major && v[1] >= minor);
    }

    public static boolean isLinux() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux");
    }

    public static boolean isRoot() {
        return isLinux() && Sys.geteuid() == 0;
    }

    /** Why the kernel backend cannot run here, or null when it can (root, Linux >= 6.6). */
    public static String whyUnavailable() {
        if (!isLinux()) {
            return "not running on Linux (os.name=" + System.getProperty("os.name") + ")";
        }
        if (!atLeast(6, 6)) {
            return "Linux " + release() + " is older than 6.6, which added tcx";
        }
        if (!isRoot()) {
            return "not running as root (euid " + Sys.geteuid() + "): bpf(2) program loading and network namespaces need CAP_BPF, CAP_NET_ADMIN and CAP_SYS_ADMIN";
        }
        return null;
    }

    /** Whether a missing kernel backend must fail the test instead of skipping it. */
    public static boolean required() {
        String value = System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> isLinux() && isRoot() && atLeast(6, 6);
        };
    }
}
