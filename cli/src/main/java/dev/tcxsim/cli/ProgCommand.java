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
        "  prog show"})
final class ProgCommand extends NounCommand {
    @Override
    void run(Words w) throws CliError {
        String verb = w.next("a verb (load, show)");
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
            default -> throw unknownVerb("prog", verb, "load, show");
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

    static BpfObject parse(String obj) throws CliError {
        try {
            return ElfLoader.load(Path.of(obj));
        } catch (ElfFormatException e) {
            throw new CliError("cannot load " + obj + ": " + e.getMessage());
        } catch (IOException e) {
            throw new CliError("cannot read " + obj + ": " + e.getMessage());
        }
    }

    /** Loads every program and map of the object into the session and remembers the programs by name. */
    static LoadedObjectFds load(Session s, String obj) throws CliError {
        BpfObject o = parse(obj);
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
}
