package dev.tcxsim.cli;

import dev.tcxsim.kernel.BpfException;
import picocli.CommandLine.Command;

import java.io.ByteArrayOutputStream;
import java.util.HexFormat;
import java.util.Map;

@Command(name = "map", description = {"Maps of the objects this session loaded (bpftool map words).",
        "  map lookup name MAP key [hex] BYTES...",
        "  map update name MAP key [hex] BYTES... value [hex] BYTES...",
        "  map delete name MAP key [hex] BYTES...",
        "BYTES are decimal (or 0x.. hex) bytes, or two-digit hex bytes after 'hex', in memory order."})
final class MapCommand extends NounCommand {
    @Override
    void run(Words w) throws CliError {
        String verb = w.next("a verb (lookup, update, delete)");
        Session s = session();
        w.expect("name");
        String name = w.next("a map name");
        Integer fd = s.maps.get(name);
        if (fd == null) {
            throw new CliError("no map named '" + name + "' in this session (loaded: " + s.maps.keySet() + ")");
        }
        w.expect("key");
        byte[] key = bytes(w, "value");
        try {
            switch (verb) {
                case "lookup" -> {
                    w.end();
                    byte[] value = s.proc.mapLookup(fd, key);
                    if (!printJson(Map.of("key", hex(key), "value", hex(value)))) {
                        out().println("key: " + hex(key) + "  value: " + hex(value));
                    }
                }
                case "update" -> {
                    w.expect("value");
                    byte[] value = bytes(w, null);
                    w.end();
                    s.proc.mapUpdate(fd, key, value, 0);
                }
                case "delete" -> {
                    w.end();
                    s.proc.mapDelete(fd, key);
                }
                default -> throw unknownVerb("map", verb, "lookup, update, delete");
            }
        } catch (BpfException e) {
            throw CliError.of("cannot " + verb + " map " + name, e);
        }
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < b.length; i++) {
            sb.append(i == 0 ? "" : " ").append(HexFormat.of().toHexDigits(b[i]));
        }
        return sb.toString();
    }

    /** Bytes up to {@code stopWord} (or the end). */
    private static byte[] bytes(Words w, String stopWord) throws CliError {
        boolean hex = w.accept("hex");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (w.hasNext() && !w.peek().equals(stopWord)) {
            String t = w.next("a byte");
            try {
                int v = hex ? Integer.parseInt(t, 16) : t.startsWith("0x") ? Integer.parseInt(t.substring(2), 16) : Integer.parseInt(t);
                if (v < 0 || v > 255) {
                    throw new NumberFormatException();
                }
                out.write(v);
            } catch (NumberFormatException e) {
                throw new CliError("'" + t + "' is not a byte" + (hex ? " in hex" : " (0-255, or 0x..)"));
            }
        }
        if (out.size() == 0) {
            throw new CliError("expected at least one byte");
        }
        return out.toByteArray();
    }
}
