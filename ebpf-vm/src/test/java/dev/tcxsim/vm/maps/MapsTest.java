package dev.tcxsim.vm.maps;

import dev.tcxsim.vm.elf.MapSpec;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Java-side map operations with the kernel's errnos. */
class MapsTest {
    private static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    private static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    private static int errno(ThrowingRunnable r) {
        return assertThrows(MapException.class, r::run).errno();
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void badSpecsAreEinval() {
        assertEquals(MapException.EINVAL, errno(() -> BpfMap.create(MapSpec.of("a", BpfMap.TYPE_ARRAY, 8, 8, 1, 0))));
        assertEquals(MapException.EINVAL, errno(() -> BpfMap.create(MapSpec.of("h", BpfMap.TYPE_HASH, 4, 0, 1, 0))));
        assertEquals(MapException.EINVAL, errno(() -> BpfMap.create(MapSpec.of("r", BpfMap.TYPE_RINGBUF, 0, 0, 5000, 0))));
        MapException e = assertThrows(MapException.class, () -> BpfMap.create(MapSpec.of("t", 16, 4, 4, 1, 0)));
        assertTrue(e.getMessage().contains("cpumap"), e.getMessage());
    }

    @Test
    void arrayErrnos() throws Exception {
        BpfMap a = BpfMap.create(MapSpec.of("a", BpfMap.TYPE_ARRAY, 4, 8, 2, 0));
        assertArrayEquals(new byte[8], a.lookup(u32(1)), "array elements exist from the start, zeroed");
        assertNull(a.lookup(u32(2)));
        a.update(u32(1), u64(77), BpfMap.BPF_ANY);
        assertArrayEquals(u64(77), a.lookup(u32(1)));
        assertEquals(MapException.E2BIG, errno(() -> a.update(u32(2), u64(1), BpfMap.BPF_ANY)));
        assertEquals(MapException.EEXIST, errno(() -> a.update(u32(0), u64(1), BpfMap.BPF_NOEXIST)));
        assertEquals(MapException.EINVAL, errno(() -> a.update(u32(0), u64(1), 8)));
        assertEquals(MapException.EINVAL, errno(() -> a.delete(u32(0))));
        assertArrayEquals(u32(0), a.nextKey(null));
        assertArrayEquals(u32(1), a.nextKey(u32(0)));
        assertEquals(MapException.ENOENT, errno(() -> a.nextKey(u32(1))));
        assertArrayEquals(u32(0), a.nextKey(u32(9)), "an out-of-range key restarts at 0");
    }

    @Test
    void hashErrnosAndIteration() throws Exception {
        BpfMap h = BpfMap.create(MapSpec.of("h", BpfMap.TYPE_HASH, 4, 8, 2, 0));
        assertEquals(MapException.ENOENT, errno(() -> h.update(u32(1), u64(1), BpfMap.BPF_EXIST)));
        h.update(u32(1), u64(10), BpfMap.BPF_NOEXIST);
        assertEquals(MapException.EEXIST, errno(() -> h.update(u32(1), u64(11), BpfMap.BPF_NOEXIST)));
        h.update(u32(1), u64(12), BpfMap.BPF_EXIST);
        h.update(u32(2), u64(20), BpfMap.BPF_ANY);
        assertEquals(MapException.E2BIG, errno(() -> h.update(u32(3), u64(30), BpfMap.BPF_ANY)));
        assertArrayEquals(u64(12), h.lookup(u32(1)));
        List<Integer> keys = new ArrayList<>();
        byte[] k = null;
        while (true) {
            try {
                k = h.nextKey(k);
            } catch (MapException end) {
                assertEquals(MapException.ENOENT, end.errno());
                break;
            }
            keys.add(ByteBuffer.wrap(k).order(ByteOrder.LITTLE_ENDIAN).getInt());
        }
        assertEquals(List.of(1, 2), keys);
        h.delete(u32(1));
        assertNull(h.lookup(u32(1)));
        assertEquals(MapException.ENOENT, errno(() -> h.delete(u32(1))));
        h.update(u32(3), u64(30), BpfMap.BPF_ANY);
        assertArrayEquals(u64(30), h.lookup(u32(3)), "a deleted element's slot is reused");
        assertEquals(MapException.EINVAL, errno(() -> h.update(new byte[3], u64(1), 0)));
    }

    @Test
    void lruEvictsTheLeastRecentlyUsed() throws Exception {
        BpfMap l = BpfMap.create(MapSpec.of("l", BpfMap.TYPE_LRU_HASH, 4, 8, 2, 0));
        l.update(u32(1), u64(1), 0);
        l.update(u32(2), u64(2), 0);
        l.programLookup(u32(1), 0); // 1 is now more recent than 2
        l.update(u32(3), u64(3), 0);
        assertNull(l.lookup(u32(2)), "2 was least recently used");
        assertArrayEquals(u64(1), l.lookup(u32(1)));
        assertArrayEquals(u64(3), l.lookup(u32(3)));
    }

    @Test
    void percpuValuesPerCpu() throws Exception {
        BpfMap p = BpfMap.create(MapSpec.of("p", BpfMap.TYPE_PERCPU_ARRAY, 4, 4, 1, 0));
        assertEquals(BpfMap.NR_CPUS * 8, p.lookup(u32(0)).length, "each CPU's value is padded to 8 bytes");
        assertEquals(0, p.programUpdate(u32(0), u32(5), 0, 1));
        byte[] all = p.lookup(u32(0));
        assertEquals(0, ByteBuffer.wrap(all, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt());
        assertEquals(5, ByteBuffer.wrap(all, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt());
        assertNotEquals(p.programLookup(u32(0), 0), p.programLookup(u32(0), 1), "CPUs see different slots");
        BpfMap ph = BpfMap.create(MapSpec.of("ph", BpfMap.TYPE_PERCPU_HASH, 4, 4, 4, 0));
        assertEquals(0, ph.programUpdate(u32(9), u32(7), 0, 0));
        byte[] v = ph.lookup(u32(9));
        assertEquals(7, ByteBuffer.wrap(v, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt());
        assertEquals(0, ByteBuffer.wrap(v, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt(), "other CPUs start at zero");
    }

    @Test
    void ringbufDeliversInReservationOrderAndRefusesWhenFull() throws Exception {
        RingBufMap rb = (RingBufMap) BpfMap.create(MapSpec.of("rb", BpfMap.TYPE_RINGBUF, 0, 0, 4096, 0));
        long a = rb.reserve(16, 0);
        long b = rb.reserve(8, 0);
        assertNotEquals(0, a);
        assertNotEquals(0, b);
        rb.memory()[dev.tcxsim.vm.mem.Ptr.offset(b)] = 2;
        assertTrue(rb.commit(dev.tcxsim.vm.mem.Ptr.offset(b), false));
        assertNull(rb.poll(), "the first record is still busy and blocks the second");
        assertTrue(rb.commit(dev.tcxsim.vm.mem.Ptr.offset(a), true));
        byte[] rec = rb.poll();
        assertEquals(8, rec.length);
        assertEquals(2, rec[0]);
        assertNull(rb.poll());
        assertEquals(0, rb.reserve(4096, 0), "a record larger than the ring cannot be reserved");
        List<Long> got = new ArrayList<>();
        long p;
        while ((p = rb.reserve(1000, 0)) != 0) {
            got.add(p);
        }
        assertEquals(4, got.size(), "four 1008-byte records fit 4096 bytes");
        assertEquals(MapException.ENOTSUPP, errno(() -> rb.update(new byte[0], new byte[0], 0)));
    }
}
