package dev.tcxsim.cli.render;

import dev.tcxsim.kernel.TcDirection;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What a picture of the tc datapath shows, independent of how it is drawn: the devices, the tcx
 * chain and classic clsact filters of each device's two hooks, and optionally one packet's way
 * through them. {@link ChainSvg}, {@link ChainHtml} and {@link TraceText} draw it.
 *
 * <p>The caller fills it from a kernel query (tcx chain in execution order, revision, classic
 * filters in prio order) and, for the path, from a packet trace. The constructor checks that the
 * facts fit together (unique device names, peers that exist and point back, path steps on known
 * devices) and names what does not.
 *
 * @param title   a heading, e.g. "tcxsim net show"
 * @param devices the devices in the order they should be drawn (a veth peer is drawn next to its peer)
 * @param path    a packet's way through them, or null
 */
public record NetPicture(String title, List<Device> devices, PacketPath path) {
    public NetPicture {
        Objects.requireNonNull(title, "title");
        devices = List.copyOf(devices);
        Set<String> names = new HashSet<>();
        for (Device d : devices) {
            if (!names.add(d.name())) {
                throw new IllegalArgumentException("device " + d.name() + " appears twice");
            }
        }
        Map<String, Device> byName = devices.stream().collect(Collectors.toMap(Device::name, Function.identity()));
        for (Device d : devices) {
            if (d.peer() != null) {
                Device p = byName.get(d.peer());
                if (p == null) {
                    throw new IllegalArgumentException("device " + d.name() + " names peer " + d.peer()
                            + ", which is not in the picture");
                }
                if (!d.name().equals(p.peer())) {
                    throw new IllegalArgumentException("device " + d.name() + " names peer " + d.peer() + " but "
                            + d.peer() + " names " + (p.peer() == null ? "no peer" : p.peer()));
                }
            }
        }
        if (path != null) {
            for (int i = 0; i < path.steps().size(); i++) {
                Step s = path.steps().get(i);
                if (!byName.containsKey(s.device())) {
                    throw new IllegalArgumentException("path step " + (i + 1) + " is on device " + s.device()
                            + ", which is not in the picture");
                }
            }
            if (path.fate().device() != null && !byName.containsKey(path.fate().device())) {
                throw new IllegalArgumentException("the packet's fate names device " + path.fate().device()
                        + ", which is not in the picture");
            }
        }
    }

    /** A picture without a packet path. */
    public NetPicture(String title, List<Device> devices) {
        this(title, devices, null);
    }

    /** The device called {@code name}, or null. */
    public Device device(String name) {
        for (Device d : devices) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        return null;
    }

    /**
     * One network device and its two tc hooks.
     *
     * @param ifindex its ifindex
     * @param name    its name
     * @param kind    "veth", "dummy", "loopback", ...
     * @param peer    the veth peer's name, or null
     * @param ingress the ingress hook
     * @param egress  the egress hook
     */
    public record Device(int ifindex, String name, String kind, String peer, Hook ingress, Hook egress) {
        public Device {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(ingress, "ingress");
            Objects.requireNonNull(egress, "egress");
        }

        /** The hook of one direction. */
        public Hook hook(TcDirection direction) {
            return direction == TcDirection.INGRESS ? ingress : egress;
        }
    }

    /**
     * One tc hook of a device: the tcx chain, then the classic clsact filters that run when every tcx
     * program said TCX_NEXT (or none is attached).
     *
     * @param revision the hook's tcx revision as a query reports it (1 when nothing was ever attached)
     * @param tcx      the tcx programs in execution order
     * @param classic  the classic cls_bpf filters in prio order
     */
    public record Hook(long revision, List<TcxProg> tcx, List<ClassicFilter> classic) {
        public Hook {
            tcx = List.copyOf(tcx);
            classic = List.copyOf(classic);
            for (int i = 1; i < tcx.size(); i++) {
                if (tcx.get(i).position() <= tcx.get(i - 1).position()) {
                    throw new IllegalArgumentException("tcx positions must increase along the chain: "
                            + tcx.get(i - 1).position() + " then " + tcx.get(i).position());
                }
            }
        }

        /** A hook with nothing attached. */
        public static Hook empty() {
            return new Hook(1, List.of(), List.of());
        }

        /** The tcx program with this id, or null. */
        public TcxProg tcxProg(int progId) {
            return tcx.stream().filter(p -> p.progId() == progId).findFirst().orElse(null);
        }

        /** The classic filter with this prio and handle, or null. */
        public ClassicFilter classicFilter(int prio, int handle) {
            return classic.stream().filter(f -> f.prio() == prio && f.handle() == handle).findFirst().orElse(null);
        }
    }

    /**
     * One program in a tcx chain.
     *
     * @param position its place in the chain (0 runs first)
     * @param progId   the program id
     * @param progName the program name
     * @param linkId   the owning tcx link's id, or 0 for a plain (BPF_PROG_ATTACH) attachment
     */
    public record TcxProg(int position, int progId, String progName, int linkId) {
        public TcxProg {
            Objects.requireNonNull(progName, "progName");
        }

        /** True for a BPF_PROG_ATTACH attachment, which no link owns. */
        public boolean plain() {
            return linkId == 0;
        }

        /** "link N" or "plain". */
        public String owner() {
            return plain() ? "plain" : "link " + linkId;
        }
    }

    /**
     * One classic cls_bpf filter on the clsact qdisc.
     *
     * @param prio          its prio (lower runs first)
     * @param handle        its handle
     * @param progId        the program id
     * @param progName      the program name
     * @param directAction  whether it was added with {@code da}
     */
    public record ClassicFilter(int prio, int handle, int progId, String progName, boolean directAction) {
        public ClassicFilter {
            Objects.requireNonNull(progName, "progName");
        }
    }

    /**
     * A packet's way: the steps in order, then what became of it.
     *
     * @param steps the program runs, redirects and transmits in the order they happened
     * @param fate  how it ended
     */
    public record PacketPath(List<Step> steps, Fate fate) {
        public PacketPath {
            steps = List.copyOf(steps);
            Objects.requireNonNull(fate, "fate");
        }
    }

    /** What a step is. */
    public enum StepKind {
        /** a tcx program ran */
        TCX,
        /** a classic cls_bpf filter's program ran */
        CLASSIC,
        /** the packet was redirected to {@code target} */
        REDIRECT,
        /** the packet left the device for {@code target} (its veth peer) */
        TRANSMIT
    }

    /**
     * One step of a packet's way.
     *
     * @param kind        what happened
     * @param device      the device it happened on
     * @param hook        the hook it happened in
     * @param progId      the program's id (TCX, CLASSIC), else 0
     * @param progName    the program's name (TCX, CLASSIC), else ""
     * @param linkId      the owning link (TCX; 0 for plain), else 0
     * @param prio        the classic filter's prio (CLASSIC), else 0
     * @param handle      the classic filter's handle (CLASSIC), else 0
     * @param returnValue the program's return value (TCX, CLASSIC), else 0
     * @param verdict     the name of that value ("TCX_NEXT", "TC_ACT_OK → TCX_PASS", ...), or ""
     * @param target      where a REDIRECT or TRANSMIT went, e.g. "veth2 egress", else ""
     * @param printk      bpf_trace_printk output of this run
     * @param mapWrites   map updates of this run, e.g. "counts[0]=1"
     */
    public record Step(StepKind kind, String device, TcDirection hook, int progId, String progName, int linkId,
                       int prio, int handle, int returnValue, String verdict, String target, List<String> printk,
                       List<String> mapWrites) {
        public Step {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(device, "device");
            Objects.requireNonNull(hook, "hook");
            progName = progName == null ? "" : progName;
            verdict = verdict == null ? "" : verdict;
            target = target == null ? "" : target;
            printk = List.copyOf(printk);
            mapWrites = List.copyOf(mapWrites);
        }

        /** A tcx program run. */
        public static Step tcx(String device, TcDirection hook, int progId, String progName, int linkId,
                               int returnValue, String verdict) {
            return new Step(StepKind.TCX, device, hook, progId, progName, linkId, 0, 0, returnValue, verdict, "",
                    List.of(), List.of());
        }

        /** A classic filter's program run. */
        public static Step classic(String device, TcDirection hook, int prio, int handle, int progId, String progName,
                                   int returnValue, String verdict) {
            return new Step(StepKind.CLASSIC, device, hook, progId, progName, 0, prio, handle, returnValue, verdict,
                    "", List.of(), List.of());
        }

        /** A redirect from this hook to {@code target} (e.g. "veth2 egress"). */
        public static Step redirect(String device, TcDirection hook, String target) {
            return new Step(StepKind.REDIRECT, device, hook, 0, "", 0, 0, 0, 0, "", target, List.of(), List.of());
        }

        /** A transmit out of {@code device} to {@code target} (e.g. "veth1 ingress"). */
        public static Step transmit(String device, String target) {
            return new Step(StepKind.TRANSMIT, device, TcDirection.EGRESS, 0, "", 0, 0, 0, 0, "", target, List.of(),
                    List.of());
        }

        /** This step with the given printk lines and map writes. */
        public Step withOutput(List<String> printk, List<String> mapWrites) {
            return new Step(kind, device, hook, progId, progName, linkId, prio, handle, returnValue, verdict, target,
                    printk, mapWrites);
        }

        /** True for a program run (tcx or classic). */
        public boolean ranProgram() {
            return kind == StepKind.TCX || kind == StepKind.CLASSIC;
        }
    }

    /** How a packet's way ended. */
    public enum Outcome {
        DELIVERED, TRANSMITTED, DROPPED, REDIRECTED, CONSUMED
    }

    /**
     * How a packet's way ended.
     *
     * @param outcome what kind of end
     * @param device  the device it ended on, or null when it left the picture
     * @param text    the sentence to show, e.g. "delivered on veth1", "dropped: TC_INGRESS"
     */
    public record Fate(Outcome outcome, String device, String text) {
        public Fate {
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(text, "text");
        }
    }
}
