package dev.tcxsim.vm.mem;

import com.oracle.truffle.api.CompilerDirectives.TruffleBoundary;
import com.oracle.truffle.api.memory.ByteArraySupport;
import dev.tcxsim.vm.ctx.SkBuff;
import dev.tcxsim.vm.ctx.SkBuffLayout;
import dev.tcxsim.vm.maps.BpfMap;

/**
 * Every load and store a program makes goes through here: the pointer's tag picks the region,
 * the offset is checked against the region's bounds and permissions, and only then is a byte
 * touched. A bad access throws {@link BpfFault} naming the address and the region.
 *
 * <p>The region-specific methods ({@link #loadStack}, {@link #loadPacket}, ...) exist so that the
 * Truffle interpreter can call the one a load site has always seen, which partial evaluation then
 * reduces to a bounds check and an array read; {@link #load} dispatches on the tag for everyone else.
 */
public final class Memory {
    /** Region kinds as the interpreters profile them per load/store site. */
    public static final byte KIND_NONE = 0, KIND_STACK = 1, KIND_CTX = 2, KIND_PACKET = 3, KIND_MAP = 4,
            KIND_INVALID = 5, KIND_GENERIC = 6;

    private static final ByteArraySupport LE = ByteArraySupport.littleEndian();

    private Memory() {
    }

    public static byte kindOf(long addr) {
        int tag = Ptr.tag(addr);
        return switch (tag) {
            case Ptr.STACK -> KIND_STACK;
            case Ptr.CTX -> KIND_CTX;
            case Ptr.PACKET -> KIND_PACKET;
            default -> Ptr.isMapValue(tag) ? KIND_MAP : KIND_INVALID;
        };
    }

    // ---- raw little-endian access to a byte array

    public static long read(byte[] a, int i, int size) {
        return switch (size) {
            case 1 -> a[i] & 0xffL;
            case 2 -> LE.getShort(a, i) & 0xffffL;
            case 4 -> LE.getInt(a, i) & 0xffffffffL;
            default -> LE.getLong(a, i);
        };
    }

    public static void write(byte[] a, int i, int size, long v) {
        switch (size) {
            case 1 -> a[i] = (byte) v;
            case 2 -> LE.putShort(a, i, (short) v);
            case 4 -> LE.putInt(a, i, (int) v);
            default -> LE.putLong(a, i, v);
        }
    }

    // ---- dispatch on the tag

    /** Loads {@code size} bytes at {@code addr}, zero-extended. */
    public static long load(RunState st, long addr, int size, int pc) {
        return switch (kindOf(addr)) {
            case KIND_STACK -> loadStack(st, addr, size, pc);
            case KIND_PACKET -> loadPacket(st, addr, size, pc);
            case KIND_CTX -> loadCtx(st, addr, size, pc);
            case KIND_MAP -> loadMap(addr, size, pc);
            default -> throw invalid(addr, size, pc, "load");
        };
    }

    public static void store(RunState st, long addr, int size, long value, int pc) {
        switch (kindOf(addr)) {
            case KIND_STACK -> storeStack(st, addr, size, value, pc);
            case KIND_PACKET -> storePacket(st, addr, size, value, pc);
            case KIND_CTX -> storeCtx(st, addr, size, value, pc);
            case KIND_MAP -> storeMap(addr, size, value, pc);
            default -> throw invalid(addr, size, pc, "store");
        }
    }

    // ---- stack

    public static long loadStack(RunState st, long addr, int size, int pc) {
        int off = Ptr.offset(addr);
        if (Ptr.tag(addr) != Ptr.STACK || off < 0 || off > st.stack.length - size) {
            throw stackFault(addr, size, pc, "load");
        }
        return read(st.stack, off, size);
    }

    public static void storeStack(RunState st, long addr, int size, long value, int pc) {
        int off = Ptr.offset(addr);
        if (Ptr.tag(addr) != Ptr.STACK || off < 0 || off > st.stack.length - size) {
            throw stackFault(addr, size, pc, "store");
        }
        write(st.stack, off, size, value);
    }

    @TruffleBoundary
    private static BpfFault stackFault(long addr, int size, int pc, String what) {
        if (Ptr.tag(addr) != Ptr.STACK) {
            return invalid(addr, size, pc, what);
        }
        int off = Ptr.offset(addr);
        return new BpfFault(pc, what + " of " + size + " bytes at stack" + (off >= 0 ? "+" : "") + off
                + " is out of bounds (the stack is "
                + RunState.MAX_FRAMES + " frames of " + RunState.FRAME_SIZE + " bytes; frame 0 is stack+0..+"
                + RunState.FRAME_SIZE + ")");
    }

    // ---- packet

    public static long loadPacket(RunState st, long addr, int size, int pc) {
        SkBuff skb = st.skb;
        int off = Ptr.offset(addr);
        if (Ptr.tag(addr) != Ptr.PACKET || off < skb.metaOffset() || off > skb.dataEndOffset() - size) {
            throw packetFault(st, addr, size, pc, "load");
        }
        return read(skb.buffer(), off, size);
    }

    public static void storePacket(RunState st, long addr, int size, long value, int pc) {
        SkBuff skb = st.skb;
        int off = Ptr.offset(addr);
        if (Ptr.tag(addr) != Ptr.PACKET || off < skb.metaOffset() || off > skb.dataEndOffset() - size) {
            throw packetFault(st, addr, size, pc, "store");
        }
        write(skb.buffer(), off, size, value);
    }

    @TruffleBoundary
    private static BpfFault packetFault(RunState st, long addr, int size, int pc, String what) {
        if (Ptr.tag(addr) != Ptr.PACKET) {
            return invalid(addr, size, pc, what);
        }
        int rel = Ptr.offset(addr) - st.skb.dataOffset();
        return new BpfFault(pc, what + " of " + size + " bytes at packet" + (rel >= 0 ? "+" : "") + rel
                + " is out of bounds (packet is " + st.skb.len() + " bytes"
                + (st.skb.dataOffset() != st.skb.metaOffset() ? ", with " + (st.skb.dataOffset() - st.skb.metaOffset())
                + " bytes of metadata before it" : "") + ")");
    }

    // ---- context

    public static long loadCtx(RunState st, long addr, int size, int pc) {
        int off = Ptr.offset(addr);
        checkCtx(addr, off, size, false, pc);
        return SkBuffLayout.load(st.skb, off, size);
    }

    public static void storeCtx(RunState st, long addr, int size, long value, int pc) {
        int off = Ptr.offset(addr);
        checkCtx(addr, off, size, true, pc);
        SkBuffLayout.store(st.skb, off, size, value);
    }

    @TruffleBoundary
    public static void checkCtx(long addr, int off, int size, boolean write, int pc) {
        if (Ptr.tag(addr) != Ptr.CTX) {
            throw invalid(addr, size, pc, write ? "store" : "load");
        }
        String why = SkBuffLayout.checkAccess(off, size, write);
        if (why != null) {
            throw new BpfFault(pc, "invalid context access: " + why);
        }
    }

    // ---- map values

    /** The map a map-value pointer points into; faults when it names no live map. */
    @TruffleBoundary
    public static BpfMap mapOf(long addr, int size, int pc, String what) {
        BpfMap map = Ptr.isMapValue(Ptr.tag(addr)) ? BpfMap.byId(Ptr.tag(addr) - Ptr.MAP_VALUE) : null;
        if (map == null) {
            throw invalid(addr, size, pc, what);
        }
        return map;
    }

    /** The index into {@code map.memory()} of an access of {@code size} bytes at {@code addr}, or a fault. */
    public static int mapIndex(BpfMap map, long addr, int size, int pc, String what) {
        int index = mapIndexOrMinus1(map, addr, size);
        if (index < 0) {
            throw mapFault(map, addr, size, pc, what);
        }
        return index;
    }

    /** {@link #mapIndex} without the fault: -1 when the access is not inside one value. */
    public static int mapIndexOrMinus1(BpfMap map, long addr, int size) {
        int off = Ptr.offset(addr);
        int shift = map.strideShift();
        if (shift < 0) {
            return off < 0 || off > map.memory().length - size ? -1 : off;
        }
        int slot = off >>> shift;
        int inSlot = off & ((1 << shift) - 1);
        int vs = map.valueSize();
        if (off < 0 || inSlot > vs - size || slot * (long) vs + vs > map.memory().length) {
            return -1;
        }
        return slot * vs + inSlot;
    }

    @TruffleBoundary
    private static BpfFault mapFault(BpfMap map, long addr, int size, int pc, String what) {
        int off = Ptr.offset(addr);
        int shift = map.strideShift();
        String where = shift < 0 ? "map '" + map.name() + "'+" + off
                : "map '" + map.name() + "' value+" + (off & ((1 << shift) - 1));
        return new BpfFault(pc, what + " of " + size + " bytes at " + where + " is out of bounds (" + (shift < 0
                ? "the region is " + map.memory().length + " bytes" : "a value is " + map.valueSize() + " bytes") + ")");
    }

    public static long loadMap(long addr, int size, int pc) {
        return loadMap(mapOf(addr, size, pc, "load"), addr, size, pc);
    }

    /** A load from {@code map}, which the caller knows {@code addr}'s tag names. */
    public static long loadMap(BpfMap map, long addr, int size, int pc) {
        return read(map.memory(), mapIndex(map, addr, size, pc, "load"), size);
    }

    public static void storeMap(long addr, int size, long value, int pc) {
        storeMap(mapOf(addr, size, pc, "store"), addr, size, value, pc);
    }

    /** A store into {@code map}, which the caller knows {@code addr}'s tag names. */
    public static void storeMap(BpfMap map, long addr, int size, long value, int pc) {
        if (map.programReadOnly()) {
            throw readOnly(map, addr, size, pc);
        }
        write(map.memory(), mapIndex(map, addr, size, pc, "store"), size, value);
    }

    @TruffleBoundary
    private static BpfFault readOnly(BpfMap map, long addr, int size, int pc) {
        return new BpfFault(pc, "store of " + size + " bytes at map '" + map.name() + "' value+"
                + Ptr.offset(addr) + " is not allowed: the map is read-only for programs (BPF_F_RDONLY_PROG)");
    }

    // ---- errors for addresses in no region

    @TruffleBoundary
    public static BpfFault invalid(long addr, int size, int pc, String what) {
        if (addr == 0) {
            return new BpfFault(pc, what + " of " + size + " bytes at NULL (0x0): NULL pointer dereference");
        }
        int tag = Ptr.tag(addr);
        String region;
        if (Ptr.isMapHandle(tag)) {
            BpfMap m = BpfMap.byId(tag - Ptr.MAP_HANDLE);
            return new BpfFault(pc, what + " of " + size + " bytes at the map object " + (m == null ? "#"
                    + (tag - Ptr.MAP_HANDLE) : "'" + m.name() + "'") + " is invalid: only helpers take map pointers");
        }
        if (tag == Ptr.FUNC) {
            region = "a function address";
        } else if (Ptr.isMapValue(tag)) {
            region = "a map that no longer exists";
        } else if (tag == 0 || tag == -1) {
            region = "no region: the value is a number, not a pointer";
        } else {
            region = "no region (tag 0x" + Integer.toHexString(tag) + ")";
        }
        return new BpfFault(pc, what + " of " + size + " bytes at 0x" + Long.toHexString(addr) + " is invalid: " + region);
    }

    // ---- byte ranges for helpers

    /** Region array and start index of {@code len} bytes at {@code addr} that a helper may read or write. */
    private static byte[] rangeArray(RunState st, long addr, int len, boolean write, int pc, String who, int[] index) {
        if (len < 0) {
            throw new BpfFault(pc, who + ": negative size " + len);
        }
        int off = Ptr.offset(addr);
        switch (kindOf(addr)) {
            case KIND_STACK -> {
                if (off < 0 || off > st.stack.length - len) {
                    throw stackFault(addr, len, pc, who + " access");
                }
                index[0] = off;
                return st.stack;
            }
            case KIND_PACKET -> {
                if (off < st.skb.metaOffset() || off > st.skb.dataEndOffset() - len) {
                    throw packetFault(st, addr, len, pc, who + " access");
                }
                index[0] = off;
                return st.skb.buffer();
            }
            case KIND_MAP -> {
                BpfMap map = mapOf(addr, len, pc, who + " access");
                if (write && map.programReadOnly()) {
                    throw readOnly(map, addr, len, pc);
                }
                index[0] = len == 0 ? 0 : mapIndex(map, addr, len, pc, who + " access");
                return map.memory();
            }
            case KIND_CTX -> throw new BpfFault(pc, who + ": the context cannot be passed as a memory buffer");
            default -> throw invalid(addr, len, pc, who + " access");
        }
    }

    /**
     * {@link #readBytes(RunState, long, int, int, String)} for a helper argument named {@code who + " " + part}:
     * the name is only joined when the access faults, so a helper's hot path builds no string.
     */
    @TruffleBoundary
    public static byte[] readBytes(RunState st, long addr, int len, int pc, String who, String part) {
        try {
            return readBytes(st, addr, len, pc, "");
        } catch (BpfFault f) {
            return readBytes(st, addr, len, pc, who + " " + part); // throws again, with the full name
        }
    }

    /** Copies {@code len} bytes at {@code addr} out of the program's memory (for helper arguments). */
    @TruffleBoundary
    public static byte[] readBytes(RunState st, long addr, int len, int pc, String who) {
        int[] index = new int[1];
        byte[] a = rangeArray(st, addr, len, false, pc, who, index);
        byte[] out = new byte[len];
        System.arraycopy(a, index[0], out, 0, len);
        return out;
    }

    /** Copies {@code bytes} into the program's memory at {@code addr} (for helper results). */
    @TruffleBoundary
    public static void writeBytes(RunState st, long addr, byte[] bytes, int pc, String who) {
        int[] index = new int[1];
        byte[] a = rangeArray(st, addr, bytes.length, true, pc, who, index);
        System.arraycopy(bytes, 0, a, index[0], bytes.length);
    }

    /** A NUL-terminated string of at most {@code max} bytes at {@code addr}; stops early at a region's end. */
    @TruffleBoundary
    public static String readCString(RunState st, long addr, int max, int pc, String who) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < max; i++) {
            long b;
            try {
                b = load(st, addr + i, 1, pc);
            } catch (BpfFault f) {
                if (i == 0) {
                    throw f;
                }
                break;
            }
            if (b == 0) {
                break;
            }
            sb.append((char) b);
        }
        return sb.toString();
    }

    // ---- atomics (map values and stack only, like the kernel)

    /**
     * BPF_ATOMIC at {@code addr}: {@code op} is the instruction's imm. Returns the old value (what
     * FETCH variants, XCHG and CMPXCHG hand back) zero-extended to 64 bits for 32-bit operations.
     */
    @TruffleBoundary
    public static long atomic(RunState st, long addr, int size, int op, long operand, long expected, int pc) {
        byte[] mem;
        int index;
        String name = switch (op & ~Op_FETCH) {
            case 0x00 -> "atomic add";
            case 0x40 -> "atomic or";
            case 0x50 -> "atomic and";
            case 0xa0 -> "atomic xor";
            case 0xe0 -> "atomic xchg";
            case 0xf0 -> "atomic cmpxchg";
            default -> "atomic op 0x" + Integer.toHexString(op);
        };
        switch (kindOf(addr)) {
            case KIND_STACK -> {
                loadStack(st, addr, size, pc); // bounds check
                mem = st.stack;
                index = Ptr.offset(addr);
            }
            case KIND_MAP -> {
                BpfMap map = mapOf(addr, size, pc, name);
                if (map.programReadOnly()) {
                    throw readOnly(map, addr, size, pc);
                }
                mem = map.memory();
                index = mapIndex(map, addr, size, pc, name);
            }
            case KIND_CTX, KIND_PACKET -> throw new BpfFault(pc, name + " on " + (kindOf(addr) == KIND_CTX ? "the context"
                    : "packet data") + " is not allowed (the kernel's verifier refuses it)");
            default -> throw invalid(addr, size, pc, name);
        }
        if ((index & (size - 1)) != 0) {
            throw new BpfFault(pc, name + " of " + size + " bytes at a misaligned address 0x" + Long.toHexString(addr));
        }
        if (!isAtomicOp(op)) {
            throw new BpfFault(pc, "unknown atomic operation 0x" + Integer.toHexString(op));
        }
        return atomicAt(mem, index, size, op, operand, expected);
    }

    /** True for the atomic operations {@link #atomicAt} knows (the instruction's imm). */
    public static boolean isAtomicOp(int op) {
        return switch (op & ~Op_FETCH) {
            case 0x00, 0x40, 0x50, 0xa0, 0xe0, 0xf0 -> true;
            default -> false;
        };
    }

    /**
     * The read-modify-write of an atomic instruction on {@code mem[index .. index + size)}, already
     * checked (bounds, alignment, permission, {@link #isAtomicOp}). One lock per memory array keeps
     * concurrent runs' steps whole; with no bounds or name work left it is small enough for compiled
     * code to call directly.
     */
    public static long atomicAt(byte[] mem, int index, int size, int op, long operand, long expected) {
        synchronized (mem) {
            long old = read(mem, index, size);
            long nv = switch (op & ~Op_FETCH) {
                case 0x00 -> old + operand;
                case 0x40 -> old | operand;
                case 0x50 -> old & operand;
                case 0xa0 -> old ^ operand;
                case 0xe0 -> operand;
                default -> (size == 4 ? (int) old == (int) expected : old == expected) ? operand : old;
            };
            write(mem, index, size, nv);
            return old;
        }
    }

    private static final int Op_FETCH = 0x01;
}
