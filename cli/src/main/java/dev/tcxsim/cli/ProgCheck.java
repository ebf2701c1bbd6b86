package dev.tcxsim.cli;

import dev.tcxsim.kernel.BpfException;
import dev.tcxsim.kernel.BpfProcess;
import dev.tcxsim.vm.EbpfVm;
import dev.tcxsim.vm.VerifierException;
import dev.tcxsim.vm.elf.BpfObject;
import dev.tcxsim.vm.elf.ElfFormatException;
import dev.tcxsim.vm.elf.ElfLoader;
import dev.tcxsim.vm.elf.IgnoredSection;
import dev.tcxsim.vm.elf.MapSpec;
import dev.tcxsim.vm.elf.ProgramSpec;
import dev.tcxsim.vm.elf.Relocation;
import dev.tcxsim.vm.helpers.HelperNames;
import dev.tcxsim.vm.helpers.Helpers;
import dev.tcxsim.vm.maps.BpfMap;
import dev.tcxsim.vm.maps.MapException;
import dev.tcxsim.vm.maps.MapTypes;
import dev.tcxsim.vm.truffle.EbpfEngine;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code tcxsim prog check OBJ}: a compatibility report. It lists what the object uses
 * ({@link ProgCheckScan}) and says for each whether the simulator supports it, then tries the real
 * thing: every program is loaded into the simulator's VM (verifier included) and, given a kernel
 * process (on {@code --kernel linux}), into the kernel with BPF_PROG_LOAD.
 */
final class ProgCheck {
    private static final int RINGBUF = 27;

    /** Whether one program loads: null reason when it does; {@code tried} false when nobody asked. */
    record Verdict(boolean tried, String reason) {
        static final Verdict OK = new Verdict(true, null);
        static final Verdict NOT_TRIED = new Verdict(false, null);

        boolean ok() {
            return tried && reason == null;
        }
    }

    private ProgCheck() {
    }

    /** The report as nested maps and lists (what -j prints; the text form is drawn from it). */
    static Map<String, Object> check(String file, byte[] bytes, BpfProcess kernel) throws CliError {
        ProgCheckScan scan = ProgCheckScan.scan(file, bytes);
        String name = java.nio.file.Path.of(file).getFileName().toString();
        BpfObject obj = null;
        String parseError = null;
        try {
            obj = ElfLoader.load(bytes, name.endsWith(".o") ? name.substring(0, name.length() - 2) : name);
        } catch (ElfFormatException e) {
            parseError = "the ELF loader refuses the object: " + e.getMessage();
        }
        Map<String, Verdict> sim = simLoad(scan, obj, parseError);
        Map<String, Verdict> linux = kernel == null ? Map.of() : kernelLoad(scan, obj, parseError, kernel);
        if (obj != null) {
            // Functions of code sections the loader takes no program from (libbpf's rule for unknown names).
            for (ProgCheckScan.Program p : scan.programs()) {
                if (!has(obj, p.name())) {
                    String why = "the ELF loader skips section '" + p.section() + "': " + obj.ignoredSections().stream()
                            .filter(i -> i.section().equals(p.section())).map(IgnoredSection::reason).findFirst()
                            .orElse("it takes no program from it");
                    sim.put(p.name(), new Verdict(true, why));
                    if (kernel != null) {
                        linux.put(p.name(), new Verdict(false, "tcxsim cannot hand it to the kernel: " + why));
                    }
                }
            }
        }

        Map<String, Object> report = new LinkedHashMap<>();
        report.put("object", name);
        report.put("license", scan.license());
        List<Object> programs = new ArrayList<>();
        for (ProgCheckScan.Program p : scan.programs()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", p.name());
            row.put("section", p.section());
            row.put("type", obj != null && has(obj, p.name()) ? typeName(obj.program(p.name()).progType())
                    : p.type());
            row.put("insns", p.insns());
            putVerdict(row, "sim", sim.getOrDefault(p.name(), Verdict.NOT_TRIED));
            if (kernel != null) {
                putVerdict(row, "kernel", linux.getOrDefault(p.name(), Verdict.NOT_TRIED));
            }
            programs.add(row);
        }
        report.put("programs", programs);
        List<Object> helpers = new ArrayList<>();
        for (Map.Entry<Integer, Set<String>> h : scan.helpers().entrySet()) {
            Map<String, Object> row = new LinkedHashMap<>();
            String n = HelperNames.name(h.getKey());
            row.put("name", n == null ? "unknown" : "bpf_" + n);
            row.put("id", h.getKey());
            row.put("supported", Helpers.implemented(h.getKey()));
            row.put("used_by", List.copyOf(h.getValue()));
            helpers.add(row);
        }
        report.put("helpers", helpers);
        List<Object> kfuncs = new ArrayList<>();
        for (Map.Entry<String, Set<String>> k : scan.kfuncs().entrySet()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", k.getKey());
            row.put("supported", kfuncSupported(k.getKey(), k.getValue(), sim));
            row.put("used_by", List.copyOf(k.getValue()));
            kfuncs.add(row);
        }
        report.put("kfuncs", kfuncs);
        List<Object> maps = new ArrayList<>();
        for (ProgCheckScan.MapDef m : scan.maps()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", m.name());
            row.put("type", MapTypes.name(m.type()));
            row.put("key_size", m.keySize());
            row.put("value_size", m.valueSize());
            row.put("max_entries", m.maxEntries());
            String why = mapUnsupported(m);
            row.put("supported", why == null);
            if (why != null) {
                row.put("why", why);
            }
            maps.add(row);
        }
        report.put("maps", maps);
        ProgCheckScan.Features f = scan.features();
        Map<String, Object> elf = new LinkedHashMap<>();
        elf.put("btf_types", f.btfTypes());
        if (f.btfError() != null) {
            elf.put("btf_error", f.btfError());
        }
        elf.put("line_info", f.lineInfo());
        elf.put("core_relocations", f.coreRelocations());
        Map<String, Object> externs = new LinkedHashMap<>();
        f.externs().forEach((sec, names) -> externs.put(sec, List.copyOf(names)));
        elf.put("externs", externs);
        elf.put("global_data", new LinkedHashMap<>(f.globalData()));
        elf.put("subprograms", f.subprograms());
        elf.put("legacy_maps", f.legacyMaps());
        report.put("elf", elf);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("programs", scan.programs().size());
        summary.put("sim_loads", sim.values().stream().filter(Verdict::ok).count());
        if (kernel != null) {
            summary.put("kernel_accepts", linux.values().stream().filter(Verdict::ok).count());
        }
        report.put("summary", summary);
        return report;
    }

    private static String typeName(int type) {
        return switch (type) {
            case 1 -> "socket_filter";
            case 6 -> "xdp";
            case 8 -> "cgroup_skb";
            default -> ProgCommand.typeName(type);
        };
    }

    private static boolean has(BpfObject obj, String program) {
        return obj.programs().stream().anyMatch(p -> p.name().equals(program));
    }

    private static void putVerdict(Map<String, Object> row, String key, Verdict v) {
        row.put(key, !v.tried() ? "not tried" : v.ok() ? "loads" : "refused");
        if (v.reason() != null) {
            row.put(key + "_why", v.reason());
        }
    }

    /** True when every program calling it loads in the simulator; false when one is refused naming it; else null. */
    private static Boolean kfuncSupported(String kfunc, Set<String> users, Map<String, Verdict> sim) {
        boolean allLoad = true;
        for (String u : users) {
            Verdict v = sim.get(u);
            if (v == null || !v.ok()) {
                allLoad = false;
                if (v != null && v.reason() != null && (v.reason().contains(kfunc) || v.reason().contains("kfunc"))) {
                    return false;
                }
            }
        }
        return allLoad && !users.isEmpty() ? Boolean.TRUE : null;
    }

    /** Why the simulator cannot create a map of this type (asked of its map factory with a small size), or null. */
    private static String mapUnsupported(ProgCheckScan.MapDef m) {
        int entries = m.type() == RINGBUF ? m.maxEntries() : Math.min(Math.max(m.maxEntries(), 1), 16);
        try {
            BpfMap.create(MapSpec.of(m.name(), m.type(), m.keySize(), m.valueSize(), entries, m.flags()));
            return null;
        } catch (MapException | RuntimeException e) {
            return e.getMessage();
        }
    }

    /** Each program into the simulator's VM: maps first, then verification and preparation per program. */
    private static Map<String, Verdict> simLoad(ProgCheckScan scan, BpfObject obj, String parseError) {
        Map<String, Verdict> out = new LinkedHashMap<>();
        if (obj == null) {
            scan.programs().forEach(p -> out.put(p.name(), new Verdict(true, parseError)));
            return out;
        }
        List<BpfMap> maps = new ArrayList<>();
        String[] mapErrors = new String[obj.maps().size()];
        for (int i = 0; i < obj.maps().size(); i++) {
            try {
                maps.add(BpfMap.create(obj.maps().get(i)));
            } catch (MapException | RuntimeException e) {
                maps.add(null);
                mapErrors[i] = "map '" + obj.maps().get(i).name() + "': " + e.getMessage();
            }
        }
        try (EbpfVm vm = new EbpfVm(EbpfEngine.Mode.INTERPRETED)) {
            for (ProgramSpec p : obj.programs()) {
                String mapError = p.relocations().stream().map(Relocation::mapIndex)
                        .filter(i -> i >= 0 && i < mapErrors.length && mapErrors[i] != null)
                        .map(i -> mapErrors[i]).findFirst().orElse(null);
                if (mapError != null) {
                    out.put(p.name(), new Verdict(true, mapError));
                    continue;
                }
                try {
                    vm.loadProgram(p, maps);
                    out.put(p.name(), Verdict.OK);
                } catch (VerifierException | RuntimeException e) {
                    out.put(p.name(), new Verdict(true, e.getMessage()));
                }
            }
        }
        return out;
    }

    /**
     * Each program into the kernel. The whole object first, as bpf_object__load does; when that
     * fails, program by program (maps created one by one), so one refusal does not hide the rest.
     */
    private static Map<String, Verdict> kernelLoad(ProgCheckScan scan, BpfObject obj, String parseError, BpfProcess proc) {
        Map<String, Verdict> out = new LinkedHashMap<>();
        if (obj == null) {
            String why = "tcxsim cannot hand it to the kernel: " + parseError;
            scan.programs().forEach(p -> out.put(p.name(), new Verdict(false, why)));
            return out;
        }
        try {
            proc.loadObject(obj);
            obj.programs().forEach(p -> out.put(p.name(), Verdict.OK));
            return out;
        } catch (BpfException | RuntimeException e) {
            // Fall through to one program at a time.
        }
        int[] mapFds = new int[obj.maps().size()];
        String[] mapErrors = new String[mapFds.length];
        for (int i = 0; i < mapFds.length; i++) {
            try {
                mapFds[i] = proc.mapCreate(obj.maps().get(i));
            } catch (BpfException | RuntimeException e) {
                mapFds[i] = -1;
                mapErrors[i] = "map '" + obj.maps().get(i).name() + "': " + e.getMessage();
            }
        }
        for (ProgramSpec p : obj.programs()) {
            String mapError = p.relocations().stream().map(Relocation::mapIndex)
                    .filter(i -> i >= 0 && i < mapErrors.length && mapErrors[i] != null)
                    .map(i -> mapErrors[i]).findFirst().orElse(null);
            if (mapError != null) {
                out.put(p.name(), new Verdict(true, mapError));
                continue;
            }
            try {
                proc.progLoad(p, Arrays.copyOf(mapFds, mapFds.length));
                out.put(p.name(), Verdict.OK);
            } catch (BpfException | RuntimeException e) {
                out.put(p.name(), new Verdict(true, e.getMessage()));
            }
        }
        return out;
    }

    /** The bpftool-like text form of a report. */
    @SuppressWarnings("unchecked")
    static void print(Map<String, Object> r, PrintWriter out) {
        Map<String, Object> sum = (Map<String, Object>) r.get("summary");
        out.println(r.get("object") + ": license \"" + r.get("license") + "\"  programs " + sum.get("programs")
                + "  loads in the simulator " + sum.get("sim_loads")
                + (sum.containsKey("kernel_accepts") ? "  accepted by the kernel " + sum.get("kernel_accepts") : ""));
        out.println("programs:");
        Map<String, Object> previous = Map.of();
        for (Object o : (List<Object>) r.get("programs")) {
            Map<String, Object> p = (Map<String, Object>) o;
            out.println("  " + p.get("name") + "  sec " + p.get("section") + "  type " + p.get("type") + "  insns "
                    + p.get("insns") + "  sim: " + p.get("sim")
                    + (p.containsKey("kernel") ? "  kernel: " + p.get("kernel") : ""));
            for (String side : List.of("sim", "kernel")) {
                if (p.get(side + "_why") instanceof String why) {
                    // An object-wide refusal names every program the same way: say it once.
                    out.println("      " + side + ": " + (why.equals(previous.get(side + "_why")) ? "(the same)"
                            : firstAndLastLine(why)));
                }
            }
            previous = p;
        }
        out.println("helpers:" + (((List<?>) r.get("helpers")).isEmpty() ? " none" : ""));
        for (Object o : (List<Object>) r.get("helpers")) {
            Map<String, Object> h = (Map<String, Object>) o;
            out.println("  " + h.get("name") + " (" + h.get("id") + ")  " + yesNo(h.get("supported")) + "  used by "
                    + String.join(", ", (List<String>) h.get("used_by")));
        }
        out.println("kfuncs:" + (((List<?>) r.get("kfuncs")).isEmpty() ? " none" : ""));
        for (Object o : (List<Object>) r.get("kfuncs")) {
            Map<String, Object> k = (Map<String, Object>) o;
            out.println("  " + k.get("name") + "  " + yesNo(k.get("supported")) + "  used by "
                    + String.join(", ", (List<String>) k.get("used_by")));
        }
        out.println("maps:" + (((List<?>) r.get("maps")).isEmpty() ? " none" : ""));
        for (Object o : (List<Object>) r.get("maps")) {
            Map<String, Object> m = (Map<String, Object>) o;
            out.println("  " + m.get("name") + "  type " + m.get("type") + "  key " + m.get("key_size") + "B  value "
                    + m.get("value_size") + "B  max_entries " + m.get("max_entries") + "  " + yesNo(m.get("supported")));
        }
        Map<String, Object> e = (Map<String, Object>) r.get("elf");
        out.println("elf:");
        int types = (int) e.get("btf_types");
        out.println("  btf: " + (types < 0 ? "no" : types + " types") + (e.containsKey("btf_error")
                ? " (unreadable: " + e.get("btf_error") + ")" : ""));
        int lines = (int) e.get("line_info");
        out.println("  btf.ext line info: " + (lines < 0 ? "no" : lines + " records"));
        out.println("  co-re relocations: " + e.get("core_relocations"));
        Map<String, Object> externs = (Map<String, Object>) e.get("externs");
        out.println("  externs: " + (externs.isEmpty() ? "none" : externs.toString().replaceAll("[{}]", "")));
        Map<String, Object> data = (Map<String, Object>) e.get("global_data");
        out.println("  global data: " + (data.isEmpty() ? "none" : data.entrySet().stream()
                .map(d -> d.getKey() + " (" + d.getValue() + " bytes)").reduce((a, b) -> a + ", " + b).orElse("")));
        List<String> subs = (List<String>) e.get("subprograms");
        out.println("  subprograms: " + subs.size() + (subs.isEmpty() ? "" : " (" + String.join(", ", subs) + ")"));
        out.println("  legacy maps: " + e.get("legacy_maps"));
    }

    private static String yesNo(Object supported) {
        return supported == null ? "unknown" : (Boolean) supported ? "supported" : "NOT supported";
    }

    /**
     * A verifier log can be long: its first line says what was refused, its last line but the
     * statistics ("processed N insns ...") why.
     */
    private static String firstAndLastLine(String why) {
        List<String> lines = new ArrayList<>(Arrays.asList(why.strip().split("\n")));
        while (lines.size() > 1 && lines.getLast().startsWith("processed ")) {
            lines.removeLast();
        }
        return lines.size() <= 2 ? String.join(" ", lines) : lines.getFirst() + " ... " + lines.getLast();
    }
}
