package dev.tcxsim.cli;

import dev.tcxsim.kernel.BpfException;
import picocli.CommandLine.Command;

import java.io.ByteArrayOutputStream;
import java.util.HexFormat;
import java.util.Map;

@Command(name = "map", description = {"Maps of the objects this session loaded (bpftool map words).",
        "  map lookup name MAP [key [hex] BYTES...]",
        "  map update name MAP [key [hex] BYTES...] value [hex] BYTES... [any|exist|noexist]",
        "  map delete name MAP key [hex] BYTES...",
        "  map push|enqueue name MAP value [hex] BYTES... [any|exist]   (queue, stack, bloom filter)",
        "  map peek name MAP                                            (queue, stack)",
        "  map dump name MAP                                            (every key and value, in the map's order)",
        "  map pin name MAP FILE",
        "BYTES are decimal (or 0x.. hex) bytes, or two-digit hex bytes after 'hex', in memory order.",
        "Queues, stacks and bloom filters have no keys: leave 'key' out."})
final class MapCommand extends NounCommand {
    /** Words that end a byte list: the next part of the command. */
    private static final java.util.Set<String> STOP = java.util.Set.of("key", "value", "any", "exist", "noexist");

    @Override
    void run(Words w) throws CliError {
        String verb = w.next("a verb (lookup, update, delete, push, enqueue, peek, dump, pin)");
        Session s = session();
        w.expect("name");
        String name = w.next("a map name");
        Integer fd = s.maps.get(name);
        if (fd == null) {
            throw new CliError("no map named '" + name + "' in this session (loaded: " + s.maps.keySet() + ")");
        }
        try {
            switch (verb) {
                case "lookup", "peek" -> {
                    byte[] key = verb.equals("lookup") ? optionalKey(w) : new byte[0];
                    w.end();
                    byte[] value = s.proc.mapLookup(fd, key);
                    if (key.length == 0) {
                        if (!printJson(Map.of("value", hex(value)))) {
                            out().println("value: " + hex(value));
                        }
                    } else if (!printJson(Map.of("key", hex(key), "value", hex(value)))) {
                        out().println("key: " + hex(key) + "  value: " + hex(value));
                    }
                }
                case "update", "push", "enqueue" -> {
                    byte[] key = verb.equals("update") ? optionalKey(w) : new byte[0];
                    w.expect("value");
                    byte[] value = bytes(w);
                    long flags = flags(w);
                    w.end();
                    s.proc.mapUpdate(fd, key, value, flags);
                }
                case "delete" -> {
                    w.expect("key");
                    byte[] key = bytes(w);
                    w.end();
                    s.proc.mapDelete(fd, key);
                }
                case "dump" -> {
                    w.end();
                    dump(s, fd);
                }
                case "pin" -> {
                    String file = w.next("a pin path");
                    w.end();
                    s.proc.objPin(fd, file);
                }
                default -> throw unknownVerb("map", verb, "lookup, update, delete, push, enqueue, peek, dump, pin");
            }
        } catch (BpfException e) {
            throw CliError.of("cannot " + verb + " map " + name, e);
        }
    }

    /**
     * bpftool's {@code map dump}: walks the keys with BPF_MAP_GET_NEXT_KEY and looks each one up;
     * a key deleted between the two steps is skipped, as bpftool skips it. Prints one
     * {@code key: .. value: ..} line per element and {@code Found N element(s)}; {@code -j} a JSON list.
     */
    private void dump(Session s, int fd) throws BpfException {
        java.util.List<Map<String, String>> rows = new java.util.ArrayList<>();
        byte[] key = null;
        for (int guard = 0; guard < 1_000_000; guard++) {
            key = s.proc.mapNextKey(fd, key);
            if (key == null) {
                break;
            }
            byte[] value;
            try {
                value = s.proc.mapLookup(fd, key);
            } catch (BpfException gone) {
                continue;
            }
            rows.add(Map.of("key", hex(key), "value", hex(value)));
        }
        if (printJson(rows)) {
            return;
        }
        for (Map<String, String> r : rows) {
            out().println("key: " + r.get("key") + "  value: " + r.get("value"));
        }
        out().println("Found " + rows.size() + (rows.size() == 1 ? " element" : " elements"));
    }

    /** {@code key BYTES...}, or no key at all (an empty key, for maps with key size 0). */
    private static byte[] optionalKey(Words w) throws CliError {
        return w.accept("key") ? bytes(w) : new byte[0];
    }

    /** bpftool's UPDATE_FLAGS: any (BPF_ANY, the default), noexist (BPF_NOEXIST), exist (BPF_EXIST). */
    private static long flags(Words w) throws CliError {
        if (w.accept("any")) {
            return 0;
        }
        if (w.accept("noexist")) {
            return 1;
        }
        if (w.accept("exist")) {
            return 2;
        }
        return 0;
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < b.length; i++) {
            sb.append(i == 0 ? "" : " ").append(HexFormat.of().toHexDigits(b[i]));
        }
        return sb.toString();
    }

    /** Bytes up to the next command word (key, value, a flag) or the end. */
    private static byte[] bytes(Words w) throws CliError {
        boolean hex = w.accept("hex");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (w.hasNext() && !STOP.contains(w.peek())) {
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
