package dev.tcxsim.conformance.harness;

import java.util.List;
import java.util.Map;

/** The side-by-side table (text and HTML) of a conformance run. */
public final class Report {
    private Report() {
    }

    private static String cell(ConformanceStats.Outcome o) {
        return o == null ? "-" : o.passed() ? "pass" : "FAIL";
    }

    /** A case agrees when it passed on every backend that ran it and no transcript comparison failed. */
    static boolean agrees(Map<Backend, ConformanceStats.Outcome> row) {
        return row.values().stream().allMatch(ConformanceStats.Outcome::passed);
    }

    public static boolean allAgree(Map<String, Map<Backend, ConformanceStats.Outcome>> cases) {
        return cases.values().stream().allMatch(Report::agrees);
    }

    private static String shortName(String key) {
        int dot = key.lastIndexOf('.');
        return dot >= 0 ? key.substring(dot + 1) : key;
    }

    public static String table(Map<String, Map<Backend, ConformanceStats.Outcome>> cases) {
        int width = Math.max(4, cases.keySet().stream().mapToInt(k -> shortName(k).length()).max().orElse(4));
        StringBuilder sb = new StringBuilder(String.format("%-" + width + "s  %-5s  %-5s  %s%n", "case", "sim", "linux", "agree"));
        cases.forEach((key, row) -> sb.append(String.format("%-" + width + "s  %-5s  %-5s  %s%n", shortName(key),
                cell(row.get(Backend.SIM)), cell(row.get(Backend.LINUX)), agrees(row) ? "yes" : "NO")));
        return sb.toString();
    }

    private static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    public static String html(Map<String, Map<Backend, ConformanceStats.Outcome>> cases) {
        StringBuilder sb = new StringBuilder("""
                <!DOCTYPE html><html><head><meta charset="utf-8"><title>tcxsim conformance</title>
                <style>body{font-family:sans-serif}table{border-collapse:collapse}td,th{border:1px solid #999;padding:2px 6px}
                .NO{background:#fdd}pre{font-size:12px;background:#f6f6f6;padding:4px}</style></head><body>
                <h1>tcxsim conformance</h1><table><tr><th>case</th><th>sim</th><th>linux</th><th>agree</th></tr>
                """);
        cases.forEach((key, row) -> {
            boolean ok = agrees(row);
            sb.append("<tr class=\"").append(ok ? "yes" : "NO").append("\"><td>").append(esc(shortName(key)))
                    .append("</td><td>").append(cell(row.get(Backend.SIM))).append("</td><td>")
                    .append(cell(row.get(Backend.LINUX))).append("</td><td>").append(ok ? "yes" : "NO").append("</td></tr>\n");
        });
        sb.append("</table>\n");
        cases.forEach((key, row) -> {
            if (!agrees(row)) {
                sb.append("<h2>").append(esc(key)).append("</h2>");
                row.forEach((backend, o) -> {
                    sb.append("<h3>").append(backend.label()).append("</h3>");
                    if (o.failure() != null) {
                        sb.append("<pre>").append(esc(o.failure())).append("</pre>");
                    }
                    sb.append("<pre>").append(esc(String.join("\n", o.transcript() == null ? List.of() : o.transcript()))).append("</pre>");
                });
            }
        });
        return sb.append("</body></html>\n").toString();
    }
}
