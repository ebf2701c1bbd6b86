package dev.tcxsim.cli;

import dev.tcxsim.kernel.BpfException;
import dev.tcxsim.kernel.TcDirection;
import dev.tcxsim.kernel.TcFilter;
import picocli.CommandLine.Command;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

@Command(name = "tc", description = {"Classic tc: the clsact qdisc and cls_bpf filters (iproute2 tc words).",
        "  tc qdisc add|del dev NAME clsact",
        "  tc filter add|replace dev NAME {ingress|egress} prio P handle H bpf [da] {obj OBJ [sec SEC] | pinned PATH | name NAME}",
        "  tc filter del dev NAME {ingress|egress} prio P [handle H]",
        "  tc filter show dev NAME {ingress|egress}"})
final class TcCommand extends NounCommand {
    @Override
    void run(Words w) throws CliError {
        String what = w.next("qdisc or filter");
        switch (what) {
            case "qdisc" -> qdisc(w);
            case "filter" -> filter(w);
            default -> throw new CliError("unknown tc object '" + what + "' (qdisc or filter)");
        }
    }

    private void qdisc(Words w) throws CliError {
        String verb = w.next("add or del");
        w.expect("dev");
        String dev = w.next("a device name");
        w.expect("clsact");
        w.end();
        Session s = session();
        try {
            switch (verb) {
                case "add" -> s.kernel.qdiscAddClsact(dev);
                case "del" -> s.kernel.qdiscDelClsact(dev);
                default -> throw unknownVerb("tc qdisc", verb, "add, del");
            }
        } catch (BpfException e) {
            throw CliError.of("cannot " + verb + " clsact qdisc on " + dev, e);
        }
    }

    private static TcDirection direction(Words w) throws CliError {
        String d = w.next("ingress or egress");
        return switch (d) {
            case "ingress" -> TcDirection.INGRESS;
            case "egress" -> TcDirection.EGRESS;
            default -> throw new CliError("expected ingress or egress, got '" + d + "'");
        };
    }

    private void filter(Words w) throws CliError {
        String verb = w.next("add, replace, del or show");
        w.expect("dev");
        String dev = w.next("a device name");
        TcDirection dir = direction(w);
        Session s = session();
        switch (verb) {
            case "add", "replace" -> {
                w.expect("prio");
                int prio = w.nextInt("prio");
                w.expect("handle");
                int handle = w.nextInt("handle");
                w.expect("bpf");
                boolean da = w.accept("da");
                int progFd;
                if (w.accept("obj")) {
                    String obj = w.next("an object file");
                    String sec = w.accept("sec") ? w.next("a section name") : null;
                    progFd = ProgCommand.loadForFilter(s, obj, sec);
                } else {
                    progFd = s.prog(w);
                }
                w.end();
                try {
                    s.kernel.filterAdd(s.proc, dev, dir, prio, handle, progFd, da, verb.equals("replace"));
                } catch (BpfException e) {
                    throw CliError.of("cannot " + verb + " filter prio " + prio + " handle " + handle + " on " + dev, e);
                }
            }
            case "del" -> {
                w.expect("prio");
                int prio = w.nextInt("prio");
                int handle = w.accept("handle") ? w.nextInt("handle") : 0;
                w.end();
                try {
                    s.kernel.filterDel(dev, dir, prio, handle);
                } catch (BpfException e) {
                    throw CliError.of("cannot delete filter prio " + prio + " on " + dev, e);
                }
            }
            case "show" -> {
                w.end();
                List<TcFilter> filters;
                try {
                    filters = s.kernel.filters(dev, dir);
                } catch (BpfException e) {
                    throw CliError.of("cannot list filters of " + dev, e);
                }
                List<Object> rows = new ArrayList<>();
                for (TcFilter f : filters) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("prio", f.prio());
                    row.put("handle", f.handle());
                    row.put("prog_id", f.progId());
                    row.put("name", f.progName());
                    row.put("da", f.directAction());
                    rows.add(row);
                    if (!json()) {
                        out().printf("filter protocol all pref %d bpf handle 0x%x %s%s id %d%n", f.prio(), f.handle(),
                                f.progName(), f.directAction() ? " direct-action" : "", f.progId());
                    }
                }
                printJson(rows);
            }
            default -> throw unknownVerb("tc filter", verb, "add, replace, del, show");
        }
    }
}
