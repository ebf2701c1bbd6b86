package dev.tcxsim.vm.btf;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.zip.GZIPOutputStream;

/**
 * Cuts a kernel's BTF down to the types tc programs use, for the target BTF shipped with tcxsim
 * ({@link TargetBtf#RESOURCE}). Kept: the root types (the networking structs tc programs read,
 * every {@code bpf_*} struct, union and enum, and every kfunc: a FUNC tagged "bpf_kfunc") and,
 * recursively, every type they contain by value.
 * Behind a pointer, a named struct or union that is not kept otherwise becomes a forward
 * declaration of the same name: a pointer field still relocates (CO-RE only checks that both
 * sides are pointers), without dragging in the rest of the kernel.
 *
 * <p>Regenerate the resource on a Linux 6.18 x86_64 machine from the repository root:
 * <pre>
 *   java -cp ebpf-vm/target/classes dev.tcxsim.vm.btf.BtfPruner /sys/kernel/btf/vmlinux \
 *       ebpf-vm/src/main/resources/dev/tcxsim/vm/btf/vmlinux-6.18-x86_64.btf.gz
 * </pre>
 */
public final class BtfPruner {
    /** The networking types tc programs read, besides every bpf_* type. */
    public static final Set<String> ROOTS = Set.of("sk_buff", "__sk_buff", "net_device", "ethhdr", "iphdr",
            "ipv6hdr", "tcphdr", "udphdr", "icmphdr", "icmp6hdr", "sock", "sock_common", "in6_addr", "vlan_hdr",
            "xdp_md", "skb_shared_info", "tc_skb_cb", "qdisc_skb_cb", "nf_conn", "net");

    private final Btf btf;
    private final BitSet kept = new BitSet();
    /** Named composites seen only behind pointers: each becomes a FWD. */
    private final BitSet forwards = new BitSet();

    private BtfPruner(Btf btf) {
        this.btf = btf;
    }

    /** The default root set: {@link #ROOTS}, every struct, union or enum named bpf_*, every kfunc's tag. */
    public static boolean isRoot(BtfType t) {
        if (t instanceof BtfType.DeclTag d) {
            return d.name().equals("bpf_kfunc") && d.componentIdx() == -1;
        }
        boolean aggregate = t instanceof BtfType.Composite || t instanceof BtfType.Enum;
        return aggregate && (ROOTS.contains(t.name()) || t.name().startsWith("bpf_"));
    }

    /** The pruned BTF as a {@code .BTF} blob. */
    public static byte[] prune(Btf btf, Predicate<BtfType> root) throws BtfFormatException {
        BtfPruner p = new BtfPruner(btf);
        p.walk(root);
        return BtfWriter.write(p.rewrite());
    }

    private void walk(Predicate<BtfType> root) {
        // states: id * 2 + (behind a pointer ? 1 : 0)
        BitSet seen = new BitSet();
        Deque<Integer> work = new ArrayDeque<>();
        for (int id = 1; id < btf.typeCount(); id++) {
            if (root.test(btf.type(id))) {
                work.push(id * 2);
            }
        }
        while (!work.isEmpty()) {
            int state = work.pop();
            if (seen.get(state)) {
                continue;
            }
            seen.set(state);
            int id = state >>> 1;
            boolean behindPtr = (state & 1) != 0;
            BtfType t = btf.type(id);
            if (behindPtr && t instanceof BtfType.Composite c && !c.name().isEmpty()) {
                forwards.set(id);
                continue;
            }
            kept.set(id);
            boolean nextBehind = behindPtr || t.kind() == BtfKind.PTR || t.kind() == BtfKind.FUNC_PROTO;
            for (int ref : refs(t)) {
                if (ref != 0) {
                    work.push(ref * 2 + (nextBehind ? 1 : 0));
                }
            }
        }
        forwards.andNot(kept);
    }

    private static List<Integer> refs(BtfType t) {
        return switch (t) {
            case BtfType.Ref r -> List.of(r.type());
            case BtfType.Array a -> List.of(a.elemType(), a.indexType());
            case BtfType.Composite c -> c.members().stream().map(BtfType.Member::type).toList();
            case BtfType.FuncProto p -> {
                List<Integer> out = new ArrayList<>(List.of(p.returnType()));
                p.params().forEach(q -> out.add(q.type()));
                yield out;
            }
            case BtfType.Func f -> List.of(f.type());
            case BtfType.Var v -> List.of(v.type());
            case BtfType.DeclTag d -> List.of(d.type());
            default -> List.of();
        };
    }

    private List<BtfType> rewrite() {
        Map<Integer, Integer> newId = new HashMap<>();
        List<Integer> order = new ArrayList<>();
        for (int id = kept.nextSetBit(1); id >= 0; id = kept.nextSetBit(id + 1)) {
            order.add(id);
        }
        for (int id = forwards.nextSetBit(1); id >= 0; id = forwards.nextSetBit(id + 1)) {
            order.add(id);
        }
        for (int i = 0; i < order.size(); i++) {
            newId.put(order.get(i), i + 1);
        }
        newId.put(0, 0);
        List<BtfType> out = new ArrayList<>();
        for (int id : order) {
            BtfType t = btf.type(id);
            out.add(forwards.get(id) ? new BtfType.Fwd(t.name(), t.kind() == BtfKind.UNION) : remap(t, newId));
        }
        return out;
    }

    private static BtfType remap(BtfType t, Map<Integer, Integer> id) {
        return switch (t) {
            case BtfType.Ref r -> new BtfType.Ref(r.kind(), r.name(), id.get(r.type()));
            case BtfType.Array a -> new BtfType.Array(id.get(a.elemType()), id.get(a.indexType()), a.elemCount());
            case BtfType.Composite c -> new BtfType.Composite(c.kind(), c.name(), c.size(), c.members().stream()
                    .map(m -> new BtfType.Member(m.name(), id.get(m.type()), m.bitOffset(), m.bitfieldSize())).toList());
            case BtfType.FuncProto p -> new BtfType.FuncProto(id.get(p.returnType()), p.params().stream()
                    .map(q -> new BtfType.Param(q.name(), id.get(q.type()))).toList());
            case BtfType.Func f -> new BtfType.Func(f.name(), id.get(f.type()), f.linkage());
            case BtfType.Var v -> new BtfType.Var(v.name(), id.get(v.type()), v.linkage());
            case BtfType.DeclTag d -> new BtfType.DeclTag(d.name(), id.get(d.type()), d.componentIdx());
            default -> t;
        };
    }

    /** {@code BtfPruner <input BTF> <output .btf or .btf.gz>}: prunes with the default roots. */
    public static void main(String[] args) throws IOException, BtfFormatException {
        if (args.length != 2) {
            System.err.println("usage: BtfPruner <vmlinux BTF> <output.btf[.gz]>");
            System.exit(2);
        }
        Btf in = Btf.parse(Files.readAllBytes(Path.of(args[0])));
        byte[] pruned = prune(in, BtfPruner::isRoot);
        Path outPath = Path.of(args[1]);
        if (outPath.getParent() != null) {
            Files.createDirectories(outPath.getParent());
        }
        try (OutputStream out = args[1].endsWith(".gz")
                ? new GZIPOutputStream(Files.newOutputStream(outPath)) : Files.newOutputStream(outPath)) {
            out.write(pruned);
        }
        System.out.println(in.typeCount() + " types in, " + Btf.parse(pruned).typeCount() + " out, "
                + pruned.length + " bytes -> " + outPath);
    }
}
