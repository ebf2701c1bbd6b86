package dev.tcxsim.vm.elf;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Reads a kernel .config (plain, or gzipped like /proc/config.gz) into the map that
 * {@link LoadOptions#withKconfig(Map)} takes, as libbpf's bpf_object__read_kconfig_file does:
 * "CONFIG_X=value" lines, with "# CONFIG_X is not set" meaning "n"; other lines are ignored.
 */
public final class Kconfig {
    private Kconfig() {
    }

    public static Map<String, String> parse(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("# CONFIG_") && line.endsWith(" is not set")) {
                out.put(line.substring(2, line.length() - " is not set".length()), "n");
            } else if (line.startsWith("CONFIG_") && line.indexOf('=') > 0) {
                int eq = line.indexOf('=');
                out.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return out;
    }

    /** A .config file; gzip is recognised by its magic. */
    public static Map<String, String> read(Path file) throws IOException {
        byte[] data = Files.readAllBytes(file);
        if (data.length >= 2 && (data[0] & 0xff) == 0x1f && (data[1] & 0xff) == 0x8b) {
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(data))) {
                data = in.readAllBytes();
            }
        }
        return parse(new String(data, StandardCharsets.UTF_8));
    }
}
