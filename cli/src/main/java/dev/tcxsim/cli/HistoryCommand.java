package dev.tcxsim.cli;

import dev.tcxsim.kernel.Uapi;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code net history dev NAME}: what happened to each hook of a device in this session, revision by revision. */
final class HistoryCommand {
    private HistoryCommand() {
    }

    static void print(Session s, Words w, PrintWriter out, boolean json) throws CliError {
        w.expect("dev");
        String dev = w.next("a device name");
        w.end();
        boolean exists = s.kernel.devices().stream().anyMatch(d -> d.name().equals(dev));
        if (!exists && !s.history.knows(dev)) {
            throw new CliError("no device '" + dev + "' now, and none by that name in this session's history");
        }
        List<Object> rows = new ArrayList<>();
        for (int type : new int[] {Uapi.BPF_TCX_INGRESS, Uapi.BPF_TCX_EGRESS}) {
            String hook = Uapi.attachTypeName(type);
            List<HookHistory.Entry> entries = s.history.of(dev, type);
            if (!json) {
                out.println(dev + " " + hook + (entries.isEmpty() ? ": no changes in this session" : ""));
            }
            for (HookHistory.Entry e : entries) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("hook", hook);
                row.put("revision", e.after().revision());
                row.put("operation", e.operation());
                row.put("by", e.who());
                row.put("ok", !e.failed());
                if (e.failed()) {
                    row.put("errno", e.errno().name());
                    row.put("why", e.explanation());
                }
                row.put("chain", e.after().chainText());
                if (e.command() != null) {
                    row.put("command", e.command());
                }
                rows.add(row);
                if (json) {
                    continue;
                }
                if (e.failed()) {
                    out.printf("  revision %d  FAILED %s by %s: %s%n", e.after().revision(), e.operation(), e.who(),
                            e.explanation());
                    out.println("      command: " + e.command());
                } else {
                    out.printf("  revision %d  %s by %s%n", e.after().revision(), e.operation(), e.who());
                    out.println("      chain: " + e.after().chainText());
                }
            }
        }
        if (json) {
            out.println(Json.write(rows));
        }
    }
}
