package dev.tcxsim.cli;

import dev.tcxsim.kernel.BpfException;
import dev.tcxsim.kernel.LoadedObjectFds;
import dev.tcxsim.kernel.ProgInfo;
import dev.tcxsim.vm.elf.BpfObject;
import dev.tcxsim.vm.elf.ElfFormatException;
import dev.tcxsim.vm.elf.ElfLoader;
import dev.tcxsim.vm.elf.ProgramSpec;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

@Command(name = "prog", description = {"BPF programs (bpftool prog words).",
        "  prog load OBJ PATH [name NAME]   load every program of OBJ; pin NAME (default: the first) at PATH",
        "  prog show",
        "  prog run PROG data_in FILE [data_out FILE] [ctx_in FILE] [ctx_out FILE] [repeat N]",
        "  prog dump xlated PROG [linum]",
        "  prog check OBJ   what OBJ uses and whether the simulator (and, on --kernel linux, the kernel) loads it",
        "PROG := id N | pinned PATH | name NAME | file OBJ [name NAME]      (FILE '-' is stdin/stdout)"})
final class ProgCommand extends NounCommand {
    @Override
    void run(Words w) throws CliError {
        String verb = w.next("a verb (load, show, run, dump, check)");
        if (verb.equals("check")) {
            check(w);
            return;
        }
        Session s = session();
        switch (verb) {
            case "load" -> {
                String obj = w.next("an object file");
                String path = w.next("a pin path");
                String name = w.accept("name") ? w.next("a program name") : null;
                w.end();
                LoadedObjectFds fds = load(s, obj);
                String pinned = name != null ? name : firstProgram(obj, fds);
                Integer fd = fds.progFds().get(pinned);
                if (fd == null) {
                    throw new CliError("object " + obj + " has no program named '" + pinned + "' (it has " + fds.progFds().keySet() + ")");
                }
                try {
                    s.proc.objPin(fd, path);
                } catch (BpfException e) {
                    throw CliError.of("cannot pin program " + pinned + " at " + path, e);
                }
            }
            case "show" -> {
                w.end();
                List<Object> rows = new ArrayList<>();
                for (Map.Entry<String, Integer> e : s.progs.entrySet()) {
                    ProgInfo info;
                    try {
                        info = s.proc.progInfo(e.getValue());
                    } catch (BpfException ex) {
                        continue; // closed meanwhile
                    }
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("id", info.id());
                    row.put("type", typeName(info.type()));
                    row.put("name", info.name());
                    rows.add(row);
                    if (!json()) {
                        out().println(info.id() + ": " + typeName(info.type()) + "  name " + info.name());
                    }
                }
                printJson(rows);
            }
            case "run" -> run(w, s);
            case "dump" -> {
                w.expect("xlated");
                dump(w, s);
            }
            default -> throw unknownVerb("prog", verb, "load, show, run, dump, check");
        }
    }

    private void check(Words w) throws CliError {
        String obj = w.next("an object file");
        w.end();
        byte[] bytes = readInput(obj);
        Map<String, Object> report;
        Session opened = main.openedSession();
        if (main.kernelName.equals("linux") || opened != null && opened.kernel instanceof dev.tcxsim.linux.LinuxKernel) {
            try (dev.tcxsim.kernel.BpfProcess proc = session().kernel.process("tcxsim-check")) {
                report = ProgCheck.check(obj, bytes, proc);
            }
        } else {
            report = ProgCheck.check(obj, bytes, null);
        }
        if (!printJson(report)) {
            ProgCheck.print(report, out());
        }
    }

    static String typeName(int type) {
        return switch (type) {
            case 3 -> "sched_cls";
            case 4 -> "sched_act";
            default -> "type " + type;
        };
    }

    private static String firstProgram(String obj, LoadedObjectFds fds) throws CliError {
        BpfObject o = parse(obj);
        for (ProgramSpec p : o.programs()) {
            if (fds.progFds().containsKey(p.name())) {
                return p.name();
            }
        }
        throw new CliError("object " + obj + " has no programs");
    }

    /** How objects are opened in this invocation (the global --btf, --kconfig, --object-name, --pin-root-path). */
    static volatile dev.tcxsim.vm.elf.LoadOptions openOptions = dev.tcxsim.vm.elf.LoadOptions.DEFAULTS;

    static BpfObject parse(String obj) throws CliError {
        try {
            return ElfLoader.load(Path.of(obj), openOptions);
        } catch (ElfFormatException e) {
            throw new CliError("cannot load " + obj + ": " + e.getMessage());
        } catch (IOException e) {
            throw new CliError("cannot read " + obj + ": " + e.getMessage());
        }
    }

    /** The object file each program of a session came from (prog run and dump read it again). */
    private static final Map<Session, Map<String, String>> OBJECTS = new java.util.WeakHashMap<>();

    /** Loads every program and map of the object into the session and remembers the programs by name. */
    static LoadedObjectFds load(Session s, String obj) throws CliError {
        BpfObject o = parse(obj);
        synchronized (OBJECTS) {
            Map<String, String> files = OBJECTS.computeIfAbsent(s, k -> new LinkedHashMap<>());
            o.programs().forEach(p -> files.put(p.name(), obj));
        }
        try {
            LoadedObjectFds fds = s.proc.loadObject(o);
            s.progs.putAll(fds.progFds());
            s.maps.putAll(fds.mapFds());
            return fds;
        } catch (BpfException e) {
            throw CliError.of("cannot load " + obj, e);
        }
    }

    /** {@code obj OBJ [sec SEC]} of tc filter: the program in that section (or the first one). */
    static int loadForFilter(Session s, String obj, String section) throws CliError {
        BpfObject o = parse(obj);
        List<ProgramSpec> candidates = section == null ? o.programs() : o.programsInSection(section);
        if (candidates.isEmpty()) {
            throw new CliError("object " + obj + " has no program in section '" + section + "'");
        }
        return load(s, obj).prog(candidates.getFirst().name());
    }

    /** A program named the bpftool way, resolved to its object and name (for the simulator's own VM). */
    private record Named(BpfObject object, String name, int fd) {
    }

    private Named named(Words w, Session s, boolean needFd) throws CliError {
        if (w.accept("file")) {
            String obj = w.next("an object file");
            BpfObject o = parse(obj);
            String name = w.accept("name") ? w.next("a program name") : null;
            if (name == null) {
                if (o.programs().isEmpty()) {
                    throw new CliError("object " + obj + " has no programs");
                }
                name = o.programs().getFirst().name();
            }
            int fd = needFd ? load(s, obj).prog(name) : -1;
            return new Named(o, name, fd);
        }
        int fd = s.prog(w);
        String name;
        try {
            name = s.proc.progInfo(fd).name();
        } catch (BpfException e) {
            throw CliError.of("cannot read program info", e);
        }
        String file;
        synchronized (OBJECTS) {
            file = OBJECTS.getOrDefault(s, Map.of()).get(name);
        }
        if (file == null && !needFd) {
            throw new CliError("program " + name + " was not loaded from an object file in this session");
        }
        return new Named(file == null ? null : parse(file), name, fd);
    }

    private static byte[] readInput(String file) throws CliError {
        try {
            return file.equals("-") ? System.in.readAllBytes() : java.nio.file.Files.readAllBytes(Path.of(file));
        } catch (IOException e) {
            throw new CliError("cannot read " + file + ": " + e.getMessage());
        }
    }

    private void writeOutput(String file, byte[] bytes) throws CliError {
        try {
            if (file.equals("-")) {
                out().println(java.util.HexFormat.ofDelimiter(" ").formatHex(bytes));
            } else {
                java.nio.file.Files.write(Path.of(file), bytes);
            }
        } catch (IOException e) {
            throw new CliError("cannot write " + file + ": " + e.getMessage());
        }
    }

    private void run(Words w, Session s) throws CliError {
        boolean linux = s.kernel instanceof dev.tcxsim.linux.LinuxKernel;
        Named prog = named(w, s, linux);
        String dataIn = null, dataOut = null, ctxIn = null, ctxOut = null;
        int repeat = 1;
        while (w.hasNext()) {
            String word = w.next("an option");
            switch (word) {
                case "data_in" -> dataIn = w.next("a file");
                case "data_out" -> dataOut = w.next("a file");
                case "ctx_in" -> ctxIn = w.next("a file");
                case "ctx_out" -> ctxOut = w.next("a file");
                case "repeat" -> {
                    repeat = w.nextInt("repeat");
                    if (repeat < 1) {
                        throw new CliError("repeat must be at least 1");
                    }
                }
                default -> throw new CliError("unexpected word '" + word + "'");
            }
        }
        if (dataIn == null) {
            throw new CliError("prog run needs data_in FILE (the frame, from its Ethernet header)");
        }
        byte[] data = readInput(dataIn);
        if (data.length < 14) {
            throw new CliError("data_in holds " + data.length + " bytes; a tc program needs at least an Ethernet header (14)",
                    dev.tcxsim.tcx.Errno.EINVAL);
        }
        Map<String, Object> json = new LinkedHashMap<>();
        if (linux) {
            if (ctxIn != null || ctxOut != null) {
                throw new CliError("ctx_in/ctx_out are not supported on --kernel linux yet");
            }
            try {
                var r = ((dev.tcxsim.linux.LinuxKernel) s.kernel).testRun(s.proc, prog.fd(), data, repeat);
                json.put("retval", r.retval());
                json.put("duration", r.durationNs());
                if (dataOut != null) {
                    writeOutput(dataOut, r.dataOut());
                }
            } catch (BpfException e) {
                throw CliError.of("BPF_PROG_TEST_RUN of " + prog.name(), e);
            }
        } else {
            ProgRun.Outcome r = ProgRun.run(prog.object(), prog.name(), data, ctxIn == null ? null : readInput(ctxIn), repeat);
            if (r.fault() != null) {
                throw new CliError("program " + prog.name() + " stopped: " + r.fault());
            }
            json.put("retval", r.retval());
            json.put("duration", r.durationNs());
            json.put("warmup_runs", r.warmupRuns());
            json.put("compile_ms", r.warmupMs());
            json.put("compiled", r.compiled());
            if (dataOut != null) {
                writeOutput(dataOut, r.dataOut());
            }
            if (ctxOut != null) {
                writeOutput(ctxOut, r.ctxOut());
            }
            if (!json()) {
                r.printk().forEach(line -> out().println("printk: " + line));
            }
        }
        if (!printJson(json)) {
            out().println("Return value: " + json.get("retval") + ", duration (average): " + json.get("duration") + "ns");
        }
    }

    private void dump(Words w, Session s) throws CliError {
        Named prog = named(w, s, false);
        boolean linum = w.accept("linum");
        w.end();
        ProgramSpec spec = prog.object().program(prog.name());
        long[] insns = spec.insns();
        Map<Integer, dev.tcxsim.vm.elf.LineInfo> lines = new java.util.HashMap<>();
        spec.lineInfo().forEach(l -> lines.put(l.insnOffset(), l));
        Map<Integer, String> funcs = new java.util.HashMap<>();
        spec.funcInfo().forEach(f -> funcs.put(f.insnOffset(), f.name()));
        List<Object> rows = new ArrayList<>();
        for (int i = 0; i < insns.length; i++) {
            if (!json() && funcs.containsKey(i)) {
                out().println(funcs.get(i) + ":");
            }
            var line = lines.get(i);
            if (line != null && !json()) {
                out().println("; " + line.line().strip() + (linum ? " [file:" + line.file() + " line_num:" + line.lineNumber() + "]" : ""));
            }
            String text = dev.tcxsim.vm.elf.Disassembler.format(insns, i);
            int opcode = (int) (insns[i] & 0xff);
            rows.add(Map.of("pc", i, "opcode", String.format("0x%02x", opcode), "disasm", text));
            if (!json()) {
                out().printf("%4d: (%02x) %s%n", i, opcode, text);
            }
            if (opcode == 0x18) {
                i++;
            }
        }
        printJson(rows);
    }
}
