package dev.tcxsim.vm.mem;

/**
 * Tagged pointers: a register that holds an address keeps the region in its upper 32 bits and the
 * byte offset inside the region in its lower 32 bits. Pointer arithmetic and comparisons between
 * pointers of one region (say {@code data + 14 > data_end}) therefore work as plain long
 * arithmetic, NULL is 0 (region 0 does not exist), and every load and store finds its region from
 * the tag before it touches a byte.
 *
 * <p>The offset is stored with a bias of {@link #BIAS} so that a pointer moved below its region's
 * start (say {@code r10 - 1000}) keeps its tag and the fault can name the region, instead of
 * borrowing from the tag and turning into a number.
 */
public final class Ptr {
    private Ptr() {
    }

    /** The program's stack: {@link RunState#MAX_FRAMES} frames of {@link RunState#FRAME_SIZE} bytes. */
    public static final int STACK = 1;
    /** The context, {@code struct __sk_buff}: loads and stores become SkBuff field accesses. */
    public static final int CTX = 2;
    /** The packet buffer, data_meta .. data_end (offsets count from the buffer start, headroom included). */
    public static final int PACKET = 3;
    /** A BPF function's address (LD_IMM64 with BPF_PSEUDO_FUNC): the offset is its instruction index. */
    public static final int FUNC = 4;
    /** Map value memory: tag = MAP_VALUE + map id. */
    public static final int MAP_VALUE = 0x100;
    /** A map itself (what LD_IMM64 with BPF_PSEUDO_MAP_FD loads): tag = MAP_HANDLE + map id; not dereferenceable. */
    public static final int MAP_HANDLE = 0x4000_0000;

    /** Added to every stored offset; regions are therefore at most 1 GiB. */
    public static final int BIAS = 0x4000_0000;

    public static long make(int tag, int offset) {
        return ((long) tag << 32) | ((offset + BIAS) & 0xffffffffL);
    }

    public static int tag(long ptr) {
        return (int) (ptr >>> 32);
    }

    public static int offset(long ptr) {
        return (int) ptr - BIAS;
    }

    public static boolean isMapValue(int tag) {
        return tag >= MAP_VALUE && tag < MAP_HANDLE;
    }

    public static boolean isMapHandle(int tag) {
        return tag >= MAP_HANDLE && tag < 0x7fff_ffff;
    }
}
