package dev.tcxsim.cli;

import dev.tcxsim.kernel.BpfException;
import dev.tcxsim.kernel.DeviceInfo;
import picocli.CommandLine.Command;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

@Command(name = "dev", description = {"Network devices of the session's namespace.",
        "  dev add NAME [type dummy | type veth peer NAME2]",
        "  dev addr NAME CIDR          (an IPv4 address, e.g. 192.0.2.1/24)",
        "  dev del NAME",
        "  dev show"})
final class DevCommand extends NounCommand {
    @Override
    void run(Words w) throws CliError {
        String verb = w.next("a verb (add, addr, del, show)");
        Session s = session();
        switch (verb) {
            case "add" -> {
                String name = w.next("a device name");
                String type = "dummy";
                String peer = null;
                if (w.accept("type")) {
                    type = w.next("a device type (dummy, veth)");
                }
                if (type.equals("veth")) {
                    w.expect("peer");
                    peer = w.next("the peer's name");
                } else if (!type.equals("dummy")) {
                    throw new CliError("unknown device type '" + type + "' (dummy or veth)");
                }
                w.end();
                try {
                    if (peer == null) {
                        s.kernel.addDummy(name);
                    } else {
                        s.kernel.addVeth(name, peer);
                    }
                } catch (BpfException e) {
                    throw CliError.of("cannot add device '" + name + "'", e);
                }
            }
            case "addr" -> {
                String name = w.next("a device name");
                String cidr = w.next("an address such as 192.0.2.1/24");
                w.end();
                try {
                    s.kernel.addAddress(name, cidr);
                } catch (BpfException e) {
                    throw CliError.of("cannot add address " + cidr + " to '" + name + "'", e);
                }
            }
            case "del" -> {
                String name = w.next("a device name");
                w.end();
                try {
                    s.kernel.deleteDevice(name);
                } catch (BpfException e) {
                    throw CliError.of("cannot delete device '" + name + "'", e);
                }
            }
            case "show" -> {
                w.end();
                List<Map<String, Object>> rows = new ArrayList<>();
                for (DeviceInfo d : s.kernel.devices()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("ifindex", d.ifindex());
                    row.put("name", d.name());
                    row.put("kind", d.kind());
                    if (d.peer() != null) {
                        row.put("peer", d.peer());
                    }
                    row.put("addresses", d.addresses());
                    rows.add(row);
                }
                if (!printJson(rows)) {
                    for (DeviceInfo d : s.kernel.devices()) {
                        out().println(d.ifindex() + ": " + d.name() + "  kind " + d.kind()
                                + (d.peer() != null ? "  peer " + d.peer() : "")
                                + (d.addresses().isEmpty() ? "" : "  addr " + String.join(" ", d.addresses())));
                    }
                }
            }
            default -> throw unknownVerb("dev", verb, "add, addr, del, show");
        }
    }
}
