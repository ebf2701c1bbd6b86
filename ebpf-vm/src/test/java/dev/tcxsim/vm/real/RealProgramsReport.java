package dev.tcxsim.vm.real;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The outcome of {@link RealProgramsTest}'s runs and the table it writes under target/. */
final class RealProgramsReport {
    private RealProgramsReport() {
    }

    /** One comparison: {@code sim}/{@code kernel} are null when that side loaded and ran, else why not. */
    record Row(String object, String program, String frame, String sim, String kernel, String difference,
               long simInsns) {
        Row(String object, String program, String frame, String sim, String kernel, String difference) {
            this(object, program, frame, sim, kernel, difference, -1);
        }

        String key() {
            return object + " " + program + " " + frame;
        }

        boolean same() {
            return sim == null && kernel == null && difference == null;
        }
    }

    /** One line for a comparison: what each side said, or how they differ. */
    static String describe(Row r) {
        if (r.same()) {
            return "same r0, packet and array maps";
        }
        List<String> parts = new ArrayList<>();
        if (r.sim() != null) {
            parts.add("simulator: " + firstLine(r.sim()));
        }
        if (r.kernel() != null) {
            parts.add("kernel: " + lastLines(r.kernel()));
        }
        if (r.difference() != null) {
            parts.add("differs: " + r.difference());
        }
        return String.join("; ", parts);
    }

    private static String firstLine(String s) {
        return s.strip().split("\n")[0];
    }

    /** A verifier log's last line says why; the first says which call. */
    private static String lastLines(String s) {
        String[] lines = s.strip().split("\n");
        return lines.length == 1 ? lines[0] : lines[0] + " ... " + lines[lines.length - 1];
    }

    /**
     * Under target/: the markdown table (one line per program, its frames folded together: docs/real-programs.md
     * holds a copy) and the list of agreeing runs (the candidates for expected-same.txt).
     */
    static void write(List<Row> rows) throws Exception {
        StringBuilder md = new StringBuilder();
        md.append("| program | origin | loads in sim | loads in kernel | same result | insns run (sim) | why not |\n");
        md.append("|---|---|---|---|---|---|---|\n");
        java.util.Map<String, List<Row>> byProgram = new java.util.LinkedHashMap<>();
        rows.forEach(r -> byProgram.computeIfAbsent(r.object() + " " + r.program(), k -> new ArrayList<>()).add(r));
        for (List<Row> group : byProgram.values()) {
            Row first = group.getFirst();
            boolean simLoads = group.stream().allMatch(r -> r.sim() == null || r.sim().startsWith("faults: "));
            String kernel = group.stream()
                    .allMatch(r -> r.kernel() == null || r.kernel().startsWith("BPF_PROG_TEST_RUN"))
                    ? "yes" : first.kernel() != null && first.kernel().startsWith("not tried") ? "not tried" : "no";
            long same = group.stream().filter(Row::same).count();
            String insns = group.stream().filter(r -> r.simInsns() >= 0).map(r -> r.frame() + " " + r.simInsns())
                    .reduce((x, y) -> x + ", " + y).orElse("");
            List<Row> bad = group.stream().filter(r -> !r.same()).toList();
            Set<String> reasons = new LinkedHashSet<>();
            bad.forEach(r -> reasons.add(describe(r)));
            String why = reasons.size() <= 1 ? String.join("", reasons)
                    : String.join("<br>", bad.stream().map(r -> r.frame() + ": " + describe(r)).toList());
            md.append("| `").append(first.object().replace(".o", "")).append("`: ").append(first.program())
                    .append(" | [ORIGIN](../testdata/real/ORIGIN.md) | ").append(simLoads ? "yes" : "no").append(" | ")
                    .append(kernel).append(" | ").append(same == group.size() ? "**yes**" : same == 0 ? "no"
                            : same + " of " + group.size() + " frames")
                    .append(" | ").append(insns).append(" | ").append(why.replace("|", "\\|")).append(" |\n");
        }
        Path target = Path.of("target");
        Files.createDirectories(target);
        Files.writeString(target.resolve("real-programs.md"), md);
        StringBuilder keys = new StringBuilder();
        rows.stream().filter(Row::same).forEach(r -> keys.append(r.key()).append('\n'));
        Files.writeString(target.resolve("real-programs-same.txt"), keys);
    }
}
