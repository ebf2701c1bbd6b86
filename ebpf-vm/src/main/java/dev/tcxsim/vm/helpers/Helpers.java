package dev.tcxsim.vm.helpers;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import dev.tcxsim.vm.LoadedProgram;
import dev.tcxsim.vm.RunResult;
import dev.tcxsim.vm.ctx.SkBuff;
import dev.tcxsim.vm.maps.BpfMap;
import dev.tcxsim.vm.maps.MapException;
import dev.tcxsim.vm.maps.ProgArrayMap;
import dev.tcxsim.vm.maps.RingBufMap;
import dev.tcxsim.vm.mem.BpfFault;
import dev.tcxsim.vm.mem.Memory;
import dev.tcxsim.vm.mem.Ptr;
import dev.tcxsim.vm.mem.RunState;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The helper functions a tc program may call, by kernel helper number, with the kernel's argument
 * rules and return values (net/core/filter.c, kernel/bpf/helpers.c, kernel/trace/bpf_trace.c).
 * Arguments the kernel's verifier would refuse (a number where a map belongs, a buffer outside
 * the program's memory) stop the program with a fault instead.
 */
public final class Helpers {
    public static final int MAP_LOOKUP_ELEM = 1, MAP_UPDATE_ELEM = 2, MAP_DELETE_ELEM = 3, KTIME_GET_NS = 5,
            TRACE_PRINTK = 6, GET_PRANDOM_U32 = 7, GET_SMP_PROCESSOR_ID = 8, SKB_STORE_BYTES = 9,
            L3_CSUM_REPLACE = 10, L4_CSUM_REPLACE = 11, TAIL_CALL = 12, REDIRECT = 23, SKB_LOAD_BYTES = 26,
            CSUM_DIFF = 28, GET_HASH_RECALC = 34, RINGBUF_OUTPUT = 130, RINGBUF_RESERVE = 131, RINGBUF_SUBMIT = 132,
            RINGBUF_DISCARD = 133, REDIRECT_NEIGH = 152, REDIRECT_PEER = 155, TRACE_VPRINTK = 177;
    /** Helpers with callbacks and the rest of issue 7 (CallbackHelpers and its siblings). */
    public static final int FOR_EACH_MAP_ELEM = 164, SNPRINTF = 165, LOOP = 181, STRNCMP = 182;

    private static final int[] IMPLEMENTED = {MAP_LOOKUP_ELEM, MAP_UPDATE_ELEM, MAP_DELETE_ELEM, KTIME_GET_NS,
        TRACE_PRINTK, GET_PRANDOM_U32, GET_SMP_PROCESSOR_ID, SKB_STORE_BYTES, L3_CSUM_REPLACE, L4_CSUM_REPLACE,
        FOR_EACH_MAP_ELEM, LOOP, SNPRINTF, STRNCMP, SocketHelpers.SK_LOOKUP_TCP, SocketHelpers.SK_LOOKUP_UDP,
        SocketHelpers.SKC_LOOKUP_TCP, SocketHelpers.SK_RELEASE, SocketHelpers.TCP_CHECK_SYNCOOKIE,
        SocketHelpers.TCP_GEN_SYNCOOKIE, SpinLockHelpers.SPIN_LOCK, SpinLockHelpers.SPIN_UNLOCK, Dynptrs.DYNPTR_READ,
        Dynptrs.DYNPTR_WRITE, BpfTimers.TIMER_INIT, BpfTimers.TIMER_SET_CALLBACK, BpfTimers.TIMER_START,
        BpfTimers.TIMER_CANCEL, RingbufQuery.RINGBUF_QUERY, PerfEventOutput.PERF_EVENT_OUTPUT,
        SkbHelpers.SKB_CHANGE_TAIL, SkbHelpers.SKB_CHANGE_HEAD, SkbHelpers.SKB_PULL_DATA, SkbHelpers.SKB_ADJUST_ROOM,
        SkbHelpers.SKB_VLAN_PUSH, SkbHelpers.SKB_VLAN_POP, SkbHelpers.SKB_CHANGE_PROTO, SkbHelpers.SKB_CHANGE_TYPE,
        SkbStateHelpers.CSUM_UPDATE, SkbStateHelpers.CSUM_LEVEL, SkbStateHelpers.SKB_ECN_SET_CE, SkbStateHelpers.SET_HASH,
        SkbStateHelpers.SET_HASH_INVALID, SkbStateHelpers.SKB_LOAD_BYTES_RELATIVE, SkbStateHelpers.KTIME_GET_BOOT_NS,
        SkbStateHelpers.JIFFIES64, SkbStateHelpers.KTIME_GET_COARSE_NS, SkbStateHelpers.GET_SOCKET_COOKIE,
        SkbStateHelpers.SKB_CGROUP_ID, SkbStateHelpers.SKB_SET_TSTAMP,
        SkbStateHelpers.GET_CURRENT_TASK, ProbeHelpers.PROBE_READ_KERNEL, ProbeHelpers.PROBE_READ_KERNEL_STR,
        ProbeHelpers.PROBE_READ_USER, ProbeHelpers.PROBE_READ_USER_STR, TunnelHelpers.SKB_GET_TUNNEL_KEY,
        TunnelHelpers.SKB_SET_TUNNEL_KEY, TunnelHelpers.SKB_GET_TUNNEL_OPT, TunnelHelpers.SKB_SET_TUNNEL_OPT,
        NetHelpers.CHECK_MTU, NetHelpers.CLONE_REDIRECT, NetHelpers.FIB_LOOKUP,
        TAIL_CALL, REDIRECT, SKB_LOAD_BYTES, CSUM_DIFF, GET_HASH_RECALC, RINGBUF_OUTPUT, RINGBUF_RESERVE,
        RINGBUF_SUBMIT, RINGBUF_DISCARD, REDIRECT_NEIGH, REDIRECT_PEER, TRACE_VPRINTK,
        MapHelpers.MAP_PUSH_ELEM, MapHelpers.MAP_POP_ELEM, MapHelpers.MAP_PEEK_ELEM};

    public static final int TC_ACT_SHOT = 2, TC_ACT_REDIRECT = 7;
    public static final long BPF_F_INGRESS = 1;
    public static final long BPF_F_RECOMPUTE_CSUM = 1, BPF_F_INVALIDATE_HASH = 2;
    public static final long BPF_F_HDR_FIELD_MASK = 0xf, BPF_F_PSEUDO_HDR = 0x10, BPF_F_MARK_MANGLED_0 = 0x20,
            BPF_F_MARK_ENFORCE = 0x40, BPF_F_IPV6 = 0x80;
    private static final int EINVAL = 22, EFAULT = 14, EAGAIN = 11, E2BIG = 7;

    private Helpers() {
    }

    /** True when the simulator implements helper {@code id}. */
    public static boolean implemented(int id) {
        for (int h : IMPLEMENTED) {
            if (h == id) {
                return true;
            }
        }
        return false;
    }

    /** "map_lookup_elem(1)" or "helper 999". */
    public static String describe(int id) {
        String[] cache = DESCRIBED;
        if (id >= 0 && id < cache.length) {
            String d = cache[id];
            if (d == null) {
                d = describeUncached(id);
                cache[id] = d; // benign race: every thread computes the same string
            }
            return d;
        }
        return describeUncached(id);
    }

    private static final String[] DESCRIBED = new String[512];

    private static String describeUncached(int id) {
        String n = HelperNames.name(id);
        return n == null ? "helper " + id : n + "(" + id + ")";
    }

    /** Calls helper {@code id} (not tail_call: the interpreters handle that) and returns r0. */
    @TruffleBoundary
    public static long call(RunState st, int id, long r1, long r2, long r3, long r4, long r5, int pc) {
        return switch (id) {
            case MAP_LOOKUP_ELEM -> {
                BpfMap m = map(r1, id, pc);
                yield m.programLookup(Memory.readBytes(st, r2, m.keySize(), pc, describe(id), "key"), st.cpu);
            }
            case MAP_UPDATE_ELEM -> {
                BpfMap m = map(r1, id, pc);
                byte[] key = Memory.readBytes(st, r2, m.keySize(), pc, describe(id), "key");
                byte[] value = Memory.readBytes(st, r3, m.valueSize(), pc, describe(id), "value");
                int rc = m.programUpdate(key, value, r4, st.cpu);
                if (rc == 0) {
                    st.env.mapWrite(st.chainIndex, m, key, value);
                }
                yield rc;
            }
            case MAP_DELETE_ELEM -> {
                BpfMap m = map(r1, id, pc);
                yield m.programDelete(Memory.readBytes(st, r2, m.keySize(), pc, describe(id), "key"));
            }
            case KTIME_GET_NS -> st.env.nowNs();
            case TRACE_PRINTK -> tracePrintk(st, r1, r2, new long[] {r3, r4, r5}, pc);
            case TRACE_VPRINTK -> {
                if ((r4 & 7) != 0 || r4 > 96 || (r3 == 0) != (r4 == 0)) {
                    yield -EINVAL;
                }
                byte[] data = Memory.readBytes(st, r3, (int) r4, pc, describe(id) + " data");
                long[] args = new long[(int) r4 / 8];
                for (int i = 0; i < args.length; i++) {
                    args[i] = Memory.read(data, i * 8, 8);
                }
                yield tracePrintk(st, r1, r2, args, pc);
            }
            case GET_PRANDOM_U32 -> st.nextPrandom() & 0xffffffffL;
            case GET_SMP_PROCESSOR_ID -> st.cpu;
            case SKB_STORE_BYTES -> skbStoreBytes(st, r2, r3, r4, r5, pc);
            case SKB_LOAD_BYTES -> skbLoadBytes(st, r2, r3, r4, pc);
            case L3_CSUM_REPLACE -> csumReplace(st, r2, r3, r4, r5, false);
            case L4_CSUM_REPLACE -> csumReplace(st, r2, r3, r4, r5, true);
            case CSUM_DIFF -> csumDiff(st, r1, r2, r3, r4, r5, pc);
            case REDIRECT -> redirect(st, (int) r1, r2, (r2 & ~BPF_F_INGRESS) == 0, RunResult.Redirect.Kind.REDIRECT);
            case REDIRECT_PEER -> redirect(st, (int) r1, r2, r2 == 0, RunResult.Redirect.Kind.PEER);
            case REDIRECT_NEIGH -> redirect(st, (int) r1, r4, r4 == 0 && (r2 != 0 || r3 == 0), RunResult.Redirect.Kind.NEIGH);
            case GET_HASH_RECALC -> SkbStateHelpers.getHashRecalc(st.skb);
            case SkbHelpers.SKB_CHANGE_TAIL -> SkbHelpers.changeTail(st.skb, r2, r3);
            case SkbHelpers.SKB_CHANGE_HEAD -> SkbHelpers.changeHead(st.skb, r2, r3);
            case SkbHelpers.SKB_PULL_DATA -> SkbHelpers.pullData(st.skb, r2);
            case SkbHelpers.SKB_ADJUST_ROOM -> SkbHelpers.adjustRoom(st.skb, r2, r3, r4);
            case SkbHelpers.SKB_VLAN_PUSH -> SkbHelpers.vlanPush(st.skb, r2, r3);
            case SkbHelpers.SKB_VLAN_POP -> SkbHelpers.vlanPop(st.skb);
            case SkbHelpers.SKB_CHANGE_PROTO -> SkbHelpers.changeProto(st.skb, r2, r3);
            case SkbHelpers.SKB_CHANGE_TYPE -> SkbHelpers.changeType(st.skb, r2);
            case SkbStateHelpers.CSUM_UPDATE -> SkbStateHelpers.csumUpdate(st.skb, r2);
            case SkbStateHelpers.CSUM_LEVEL -> SkbStateHelpers.csumLevel(st.skb, r2);
            case SkbStateHelpers.SKB_ECN_SET_CE -> SkbStateHelpers.ecnSetCe(st.skb);
            case SkbStateHelpers.SET_HASH -> SkbStateHelpers.setHash(st.skb, r2);
            case SkbStateHelpers.SET_HASH_INVALID -> SkbStateHelpers.setHashInvalid(st.skb);
            case SkbStateHelpers.SKB_LOAD_BYTES_RELATIVE -> SkbStateHelpers.loadBytesRelative(st, r2, r3, r4, r5, pc);
            case SkbStateHelpers.KTIME_GET_BOOT_NS -> st.env.nowNs(); // the simulator never suspends
            case SkbStateHelpers.JIFFIES64 -> SkbStateHelpers.jiffies64(st.env.nowNs());
            case SkbStateHelpers.KTIME_GET_COARSE_NS -> SkbStateHelpers.coarseNs(st.env.nowNs());
            case SkbStateHelpers.SKB_SET_TSTAMP -> SkbStateHelpers.setTstamp(st.skb, r2, r3);
            case SkbStateHelpers.GET_SOCKET_COOKIE, SkbStateHelpers.SKB_CGROUP_ID -> SkbStateHelpers.noSocket();
            case SkbStateHelpers.GET_CURRENT_TASK -> 0; // no task in the simulator (the kernel gives tc current's task_struct)
            case ProbeHelpers.PROBE_READ_KERNEL -> ProbeHelpers.readKernel(st, r1, r2, r3, pc);
            case ProbeHelpers.PROBE_READ_KERNEL_STR -> ProbeHelpers.readKernelStr(st, r1, r2, r3, pc);
            case ProbeHelpers.PROBE_READ_USER, ProbeHelpers.PROBE_READ_USER_STR -> ProbeHelpers.readUser(st, r1, r2, pc);
            case TunnelHelpers.SKB_GET_TUNNEL_KEY -> TunnelHelpers.getTunnelKey(st, r2, r3, r4, pc);
            case TunnelHelpers.SKB_SET_TUNNEL_KEY -> TunnelHelpers.setTunnelKey(st, r2, r3, r4, pc);
            case TunnelHelpers.SKB_GET_TUNNEL_OPT -> TunnelHelpers.getTunnelOpt(st, r2, r3, pc);
            case TunnelHelpers.SKB_SET_TUNNEL_OPT -> TunnelHelpers.setTunnelOpt(st, r2, r3, pc);
            case NetHelpers.CHECK_MTU -> NetHelpers.checkMtu(st, r2, r3, r4, r5, pc);
            case NetHelpers.CLONE_REDIRECT -> NetHelpers.cloneRedirect(st, r2, r3);
            case NetHelpers.FIB_LOOKUP -> NetHelpers.fibLookup(st, r2, r3, r4, pc);
            case RINGBUF_OUTPUT -> {
                RingBufMap rb = ringbuf(r1, id, pc);
                byte[] data = Memory.readBytes(st, r2, (int) r3, pc, describe(id) + " data");
                if ((r4 & ~3L) != 0) {
                    yield -EINVAL;
                }
                long p = rb.reserve(r3, 0);
                if (p == 0) {
                    yield -EAGAIN;
                }
                System.arraycopy(data, 0, rb.memory(), Ptr.offset(p), data.length);
                rb.commit(Ptr.offset(p), false);
                yield 0;
            }
            case RINGBUF_RESERVE -> ringbuf(r1, id, pc).reserve(r2, r3);
            case RINGBUF_SUBMIT, RINGBUF_DISCARD -> {
                BpfMap m = Memory.mapOf(r1, 0, pc, describe(id));
                if (!(m instanceof RingBufMap rb) || !rb.commit(Ptr.offset(r1), id == RINGBUF_DISCARD)) {
                    throw new BpfFault(pc, describe(id) + ": R1 is not a record reserved with ringbuf_reserve");
                }
                yield 0;
            }
            case MapHelpers.MAP_PUSH_ELEM, MapHelpers.MAP_POP_ELEM, MapHelpers.MAP_PEEK_ELEM ->
                    MapHelpers.call(st, id, r1, r2, r3, r4, r5, pc);
            case LOOP -> CallbackHelpers.loop(st, r1, r2, r3, r4, pc);
            case FOR_EACH_MAP_ELEM -> CallbackHelpers.forEachMapElem(st, r1, r2, r3, r4, pc);
            case SNPRINTF -> StringHelpers.snprintf(st, r1, r2, r3, r4, r5, pc);
            case STRNCMP -> StringHelpers.strncmp(st, r1, r2, r3, pc);
            case SocketHelpers.SK_LOOKUP_TCP, SocketHelpers.SK_LOOKUP_UDP, SocketHelpers.SKC_LOOKUP_TCP ->
                    SocketHelpers.lookup(st, id, r2, r3, pc);
            case SpinLockHelpers.SPIN_LOCK -> SpinLockHelpers.lock(st, r1, pc);
            case PerfEventOutput.PERF_EVENT_OUTPUT -> PerfEventOutput.output(st, r2, r3, r4, r5, pc);
            case RingbufQuery.RINGBUF_QUERY -> RingbufQuery.query(st, r1, r2, pc);
            case BpfTimers.TIMER_INIT -> BpfTimers.init(st, r1, r2, r3, pc);
            case BpfTimers.TIMER_SET_CALLBACK -> BpfTimers.setCallback(st, r1, r2, pc);
            case BpfTimers.TIMER_START -> BpfTimers.start(st, r1, r2, r3, pc);
            case BpfTimers.TIMER_CANCEL -> BpfTimers.cancel(st, r1, pc);
            case Dynptrs.DYNPTR_READ -> Dynptrs.dynptrRead(st, r1, r2, r3, r4, r5, pc);
            case Dynptrs.DYNPTR_WRITE -> Dynptrs.dynptrWrite(st, r1, r2, r3, r4, r5, pc);
            case SpinLockHelpers.SPIN_UNLOCK -> SpinLockHelpers.unlock(st, r1, pc);
            case SocketHelpers.SK_RELEASE, SocketHelpers.TCP_CHECK_SYNCOOKIE, SocketHelpers.TCP_GEN_SYNCOOKIE ->
                    SocketHelpers.needsSocket(id, r1, pc);
            case dev.tcxsim.vm.elf.PoisonedInsn.HELPER_ID -> throw poisoned(st, pc);
            default -> {
                if (Kfuncs.isKfunc(id)) {
                    yield Kfuncs.call(st, id, r1, r2, r3, r4, r5, pc);
                }
                throw new BpfFault(pc, describe(id) + " is not implemented by the simulator");
            }
        };
    }

    /**
     * bpf_tail_call's lookup: the program in slot {@code index} of prog array {@code mapHandle}, or
     * null when the slot is empty, out of range, or the run already took 33 tail calls (the
     * caller then continues with the next instruction, like the kernel).
     */
    @TruffleBoundary
    public static LoadedProgram tailCallTarget(RunState st, long mapHandle, long index, int pc) {
        BpfMap m = map(mapHandle, TAIL_CALL, pc);
        if (!(m instanceof ProgArrayMap pa)) {
            throw new BpfFault(pc, describe(TAIL_CALL) + ": R2 is map '" + m.name() + "', not a prog array");
        }
        LoadedProgram target = pa.get(index & 0xffffffffL);
        if (target == null || st.tailCalls >= RunState.MAX_TAIL_CALLS) {
            return null;
        }
        st.tailCalls++;
        st.current = target;
        return target;
    }

    /** A CO-RE relocation the loader poisoned was reached: libbpf's programs fail here too (the kernel refuses them). */
    private static BpfFault poisoned(RunState st, int pc) {
        dev.tcxsim.vm.elf.PoisonedInsn p = st.current.spec().poisonedAt(pc);
        return new BpfFault(pc, "reached an instruction whose CO-RE relocation could not be resolved against the"
                + " target kernel's BTF" + (p == null ? "" : ": " + p.relocation()));
    }

    static BpfMap map(long handle, int id, int pc) {
        int tag = Ptr.tag(handle);
        BpfMap m = Ptr.isMapHandle(tag) && Ptr.offset(handle) == 0 ? BpfMap.byId(tag - Ptr.MAP_HANDLE) : null;
        if (m == null) {
            throw new BpfFault(pc, describe(id) + ": R1 is not a map pointer (0x" + Long.toHexString(handle) + ")");
        }
        return m;
    }

    private static RingBufMap ringbuf(long handle, int id, int pc) {
        BpfMap m = map(handle, id, pc);
        if (!(m instanceof RingBufMap rb)) {
            throw new BpfFault(pc, describe(id) + ": map '" + m.name() + "' is not a ringbuf");
        }
        return rb;
    }

    private static long tracePrintk(RunState st, long fmtAddr, long fmtSize, long[] args, int pc) {
        if (fmtSize <= 0 || fmtSize > 4096) {
            return -EINVAL;
        }
        byte[] raw = Memory.readBytes(st, fmtAddr, (int) fmtSize, pc, "trace_printk format");
        int nul = -1;
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] == 0) {
                nul = i;
                break;
            }
        }
        if (nul < 0) {
            return -EINVAL;
        }
        String fmt = new String(raw, 0, nul, StandardCharsets.ISO_8859_1);
        String line = TracePrintk.format(fmt, args, a -> Memory.readCString(st, a, 256, pc, "trace_printk %s"));
        if (line == null) {
            return -EINVAL;
        }
        st.env.tracePrintk(st.chainIndex, line.endsWith("\n") ? line.substring(0, line.length() - 1) : line);
        return line.length();
    }

    private static long skbStoreBytes(RunState st, long offset, long from, long len, long flags, int pc) {
        byte[] src = Memory.readBytes(st, from, (int) len, pc, "skb_store_bytes source");
        if ((flags & ~(BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH)) != 0) {
            return -EINVAL;
        }
        SkBuff skb = st.skb;
        if (offset > 0xffff || offset < 0 || offset + len > skb.len()) {
            return -EFAULT;
        }
        // BPF_F_RECOMPUTE_CSUM adjusts skb->csum of CHECKSUM_COMPLETE packets; the simulator's
        // packets carry no such value, so the packet bytes are all there is to change.
        System.arraycopy(src, 0, skb.buffer(), skb.dataOffset() + (int) offset, src.length);
        if ((flags & BPF_F_INVALIDATE_HASH) != 0) {
            skb.setHash(0);
        }
        return 0;
    }

    private static long skbLoadBytes(RunState st, long offset, long to, long len, int pc) {
        SkBuff skb = st.skb;
        byte[] out = new byte[(int) Math.max(0, Math.min(len, 1 << 16))];
        if (len <= 0 || len > 0xffff) {
            throw new BpfFault(pc, "skb_load_bytes(26): size " + len + " is not a positive constant the verifier accepts");
        }
        long rc = 0;
        if (offset < 0 || offset > Integer.MAX_VALUE || offset + len > skb.len()) {
            rc = -EFAULT; // the kernel zeroes the destination on failure
        } else {
            System.arraycopy(skb.buffer(), skb.dataOffset() + (int) offset, out, 0, (int) len);
        }
        Memory.writeBytes(st, to, out, pc, "skb_load_bytes destination");
        return rc;
    }

    private static long csumReplace(RunState st, long offset, long from, long to, long flags, boolean l4) {
        long allowed = BPF_F_HDR_FIELD_MASK | (l4 ? BPF_F_PSEUDO_HDR | BPF_F_MARK_MANGLED_0 | BPF_F_MARK_ENFORCE | BPF_F_IPV6 : 0);
        if ((flags & ~allowed) != 0) {
            return -EINVAL;
        }
        SkBuff skb = st.skb;
        if (offset < 0 || offset > 0xffff || offset + 2 > skb.len()) {
            return -EFAULT;
        }
        byte[] buf = skb.buffer();
        int at = skb.dataOffset() + (int) offset;
        int check = (buf[at] & 0xff) << 8 | (buf[at + 1] & 0xff);
        boolean mangled0 = l4 && (flags & BPF_F_MARK_MANGLED_0) != 0;
        if (mangled0 && (flags & BPF_F_MARK_ENFORCE) == 0 && check == 0) {
            return 0; // a UDP packet without checksum stays without one
        }
        int size = (int) (flags & BPF_F_HDR_FIELD_MASK);
        int updated;
        switch (size) {
            case 0 -> {
                // from is unused; to is a 32-bit partial checksum difference (__wsum) from csum_diff
                updated = Csum.replace(check, 0, Csum.foldWsum(to));
            }
            case 2 -> updated = Csum.replace(check, Csum.wordsOf(from, 2), Csum.wordsOf(to, 2));
            case 4 -> updated = Csum.replace(check, Csum.wordsOf(from, 4), Csum.wordsOf(to, 4));
            default -> {
                return -EINVAL;
            }
        }
        if (mangled0 && updated == 0) {
            updated = 0xffff; // CSUM_MANGLED_0
        }
        buf[at] = (byte) (updated >>> 8);
        buf[at + 1] = (byte) updated;
        return 0;
    }

    /**
     * bpf_csum_diff as Linux 6.18 computes it: the one's-complement difference "to - from" plus
     * seed, folded to 16 bits (not complemented); buffers of any length up to 512 bytes together.
     */
    private static long csumDiff(RunState st, long from, long fromSize, long to, long toSize, long seed, int pc) {
        if (fromSize < 0 || toSize < 0 || fromSize + toSize > 512) {
            return -EINVAL;
        }
        byte[] a = fromSize == 0 ? new byte[0] : Memory.readBytes(st, from, (int) fromSize, pc, "csum_diff from");
        byte[] b = toSize == 0 ? new byte[0] : Memory.readBytes(st, to, (int) toSize, pc, "csum_diff to");
        if (a.length > 0 && b.length > 0) {
            return Csum.from32to16(Csum.sub(Csum.partial(b, seed), Csum.partial(a, 0)));
        } else if (b.length > 0) {
            return Csum.from32to16(Csum.partial(b, seed));
        } else if (a.length > 0) {
            return ~Csum.from32to16(Csum.partial(a, ~seed)) & 0xffffL;
        }
        return seed & 0xffffffffL;
    }

    private static long redirect(RunState st, int ifindex, long flags, boolean flagsOk, RunResult.Redirect.Kind kind) {
        if (!flagsOk) {
            return TC_ACT_SHOT;
        }
        st.redirect = new RunResult.Redirect(ifindex, flags, kind);
        return TC_ACT_REDIRECT;
    }
}
