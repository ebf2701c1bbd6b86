package dev.tcxsim.cli.render;

import dev.tcxsim.kernel.BpfException;
import dev.tcxsim.kernel.BpfProcess;
import dev.tcxsim.kernel.DeviceInfo;
import dev.tcxsim.kernel.Kernel;
import dev.tcxsim.kernel.QueryResult;
import dev.tcxsim.kernel.TcDirection;
import dev.tcxsim.kernel.TcFilter;
import dev.tcxsim.cli.render.NetPicture.ClassicFilter;
import dev.tcxsim.cli.render.NetPicture.Device;
import dev.tcxsim.cli.render.NetPicture.Hook;
import dev.tcxsim.cli.render.NetPicture.PacketPath;
import dev.tcxsim.cli.render.NetPicture.TcxProg;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fills a {@link NetPicture} from any {@link Kernel}, through the same calls {@code bpftool net show}
 * and {@code tc filter show} make: BPF_PROG_QUERY per tcx hook (order, link ids, revision), the
 * program names by id, and the classic filters per direction. Works alike on the simulator and on
 * the real kernel.
 */
public final class KernelPicture {
    /** The largest tcx chain: 63 programs (one slot of the 64 is the end marker). */
    private static final int MAX_CHAIN = 64;

    private KernelPicture() {
    }

    /**
     * The devices of {@code kernel} (loopback left out unless it has something attached) with their
     * chains and filters, plus {@code path} (may be null).
     *
     * @param process a process of the session, used for the bpf(2) queries
     * @throws BpfException when a query fails (other than "no clsact qdisc", which just means no filters)
     */
    public static NetPicture snapshot(Kernel kernel, BpfProcess process, String title, PacketPath path)
            throws BpfException {
        Map<Integer, String> names = new HashMap<>();
        List<Device> devices = new ArrayList<>();
        for (DeviceInfo d : kernel.devices()) {
            Hook ingress = hook(kernel, process, d, TcDirection.INGRESS, names);
            Hook egress = hook(kernel, process, d, TcDirection.EGRESS, names);
            boolean empty = ingress.tcx().isEmpty() && ingress.classic().isEmpty() && egress.tcx().isEmpty()
                    && egress.classic().isEmpty();
            if (d.kind().equals("loopback") && empty) {
                continue;
            }
            devices.add(new Device(d.ifindex(), d.name(), d.kind(), d.peer(), ingress, egress));
        }
        return new NetPicture(title, devices, path);
    }

    private static Hook hook(Kernel kernel, BpfProcess process, DeviceInfo d, TcDirection dir,
                             Map<Integer, String> names) throws BpfException {
        QueryResult q = process.progQuery(d.ifindex(), dir.attachType(), 0, MAX_CHAIN);
        int[] ids = q.progIds();
        int[] links = q.linkIds();
        List<TcxProg> tcx = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            tcx.add(new TcxProg(i, ids[i], name(process, ids[i], names), links[i]));
        }
        List<ClassicFilter> classic = new ArrayList<>();
        List<TcFilter> filters;
        try {
            filters = kernel.filters(d.name(), dir);
        } catch (BpfException noClsact) {
            filters = List.of();
        }
        for (TcFilter f : filters) {
            classic.add(new ClassicFilter(f.prio(), f.handle(), f.progId(), f.progName(), f.directAction()));
        }
        return new Hook(q.revision(), tcx, classic);
    }

    /** The program's name by id (BPF_PROG_GET_FD_BY_ID, then its info); "?" if it vanished meanwhile. */
    private static String name(BpfProcess process, int id, Map<Integer, String> names) throws BpfException {
        String known = names.get(id);
        if (known != null) {
            return known;
        }
        int fd;
        try {
            fd = process.progGetFdById(id);
        } catch (BpfException gone) {
            return "?";
        }
        try {
            String name = process.progInfo(fd).name();
            names.put(id, name);
            return name;
        } finally {
            process.close(fd);
        }
    }
}
