package dev.tcxsim.kernel.sim;

import dev.tcxsim.vm.elf.ProgramSpec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Raw test programs and frames for the simulator's own tests. */
final class Progs {
    private Progs() {
    }

    /** "r0 = k; exit". */
    static ProgramSpec ret(String name, int k) {
        return ProgramSpec.raw(name, 3, 0xb7L | ((long) k << 32), 0x95L);
    }

    /** bpf_redirect(ifindex, flags); exit with its result. */
    static ProgramSpec redirect(String name, int ifindex, int flags) {
        return ProgramSpec.raw(name, 3, 0xb7L | 1 << 8 | (long) ifindex << 32, 0xb7L | 2 << 8 | (long) flags << 32,
                0x85L | 23L << 32, 0x95L);
    }

    /** cb[0] = 42; return TCX_NEXT. */
    static ProgramSpec writeCb(String name) {
        return ProgramSpec.raw(name, 3, 0x62L | 1 << 8 | 48L << 16 | 42L << 32, 0xb7L | (long) -1 << 32, 0x95L);
    }

    /** return cb[0] == 42 ? DROP : PASS. */
    static ProgramSpec dropIfCb(String name) {
        return ProgramSpec.raw(name, 3, 0x61L | 2 << 8 | 1 << 12 | 48L << 16, 0xb7L, 0x55L | 2 << 8 | 1L << 16 | 42L << 32,
                0xb7L | 2L << 32, 0x95L);
    }

    /** Ethernet broadcast + IPv4 + UDP to dst:port from 192.0.2.1. */
    static byte[] udp(String dst, int port, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(42 + payload.length).order(ByteOrder.BIG_ENDIAN);
        b.put(new byte[] {-1, -1, -1, -1, -1, -1, 2, 0, 0, 0, 0, 1}).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (28 + payload.length)).putInt(0).put((byte) 64).put((byte) 17)
                .putShort((short) 0).put(new byte[] {(byte) 192, 0, 2, 1});
        for (String part : dst.split("\\.")) {
            b.put((byte) Integer.parseInt(part));
        }
        b.putShort((short) 40000).putShort((short) port).putShort((short) (8 + payload.length)).putShort((short) 0);
        b.put(payload);
        return b.array();
    }
    /** map[0] = 42 (u64) through bpf_map_update_elem, bpf_trace_printk("hi\n"), return TCX_NEXT. */
    static ProgramSpec writeAndPrint(String name, int mapFd) {
        return ProgramSpec.raw(name, 3,
                0x62L | 10 << 8 | (-4 & 0xffffL) << 16,                       // *(u32 *)(r10 - 4) = 0
                0x7aL | 10 << 8 | (-16 & 0xffffL) << 16 | 42L << 32,          // *(u64 *)(r10 - 16) = 42
                0x18L | 1 << 8 | 1 << 12 | (long) mapFd << 32, 0L,            // r1 = map
                0xbfL | 2 << 8 | 10 << 12, 0x07L | 2 << 8 | (long) -4 << 32,  // r2 = r10 - 4
                0xbfL | 3 << 8 | 10 << 12, 0x07L | 3 << 8 | (long) -16 << 32, // r3 = r10 - 16
                0xb7L | 4 << 8,                                                // r4 = 0
                0x85L | 2L << 32,                                              // call bpf_map_update_elem
                0x62L | 10 << 8 | (-20 & 0xffffL) << 16 | 0x000a6968L << 32,  // "hi\n\0" at r10 - 20
                0xbfL | 1 << 8 | 10 << 12, 0x07L | 1 << 8 | (long) -20 << 32, // r1 = r10 - 20
                0xb7L | 2 << 8 | 4L << 32,                                     // r2 = 4
                0x85L | 6L << 32,                                              // call bpf_trace_printk
                0xb7L | (long) -1 << 32, 0x95L);                               // return TCX_NEXT
    }
    /** bpf_redirect_neigh(ifindex, NULL, 0, 0); exit with its result. */
    static ProgramSpec redirectNeigh(String name, int ifindex) {
        return ProgramSpec.raw(name, 3, 0xb7L | 1 << 8 | (long) ifindex << 32, 0xb7L | 2 << 8, 0xb7L | 3 << 8,
                0xb7L | 4 << 8, 0x85L | 152L << 32, 0x95L);
    }
}
