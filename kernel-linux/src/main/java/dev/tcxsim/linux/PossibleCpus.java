package dev.tcxsim.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The number of possible CPUs (/sys/devices/system/cpu/possible, e.g. "0-1"), which sizes per-CPU map values. */
final class PossibleCpus {
    private static final int COUNT = read();

    private PossibleCpus() {
    }

    static int count() {
        return COUNT;
    }

    private static int read() {
        try {
            return parse(Files.readString(Path.of("/sys/devices/system/cpu/possible")).trim());
        } catch (IOException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }

    /** Counts the CPUs of a list such as "0-3,5,7-8". */
    static int parse(String list) {
        int n = 0;
        for (String part : list.split(",")) {
            String[] range = part.trim().split("-");
            n += range.length == 1 ? 1 : Integer.parseInt(range[1]) - Integer.parseInt(range[0]) + 1;
        }
        return n;
    }
}
