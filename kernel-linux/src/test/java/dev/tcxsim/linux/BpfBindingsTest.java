package dev.tcxsim.linux;

import dev.tcxsim.linux.ffm.Bpf;
import dev.tcxsim.linux.ffm.ErrnoException;
import dev.tcxsim.linux.ffm.Sys;
import dev.tcxsim.vm.elf.ElfLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bpf(2) bindings the Kernel API does not reach directly, on the real kernel in a session namespace. */
class BpfBindingsTest {
    private static final int HASH = 1;
    private static final int SCHED_CLS = 3;
    private static final int SK_BUFF_SIZE = 192;

    private NetnsSession session;
    private final List<Integer> fds = new ArrayList<>();

    @BeforeEach
    void open() throws ErrnoException {
        RealKernel.require();
        session = NetnsSession.start();
    }

    @AfterEach
    void close() throws ErrnoException {
        if (session != null) {
            session.call(() -> {
                fds.forEach(Sys::close);
                return null;
            });
            session.close();
        }
    }

    private int keep(int fd) {
        fds.add(fd);
        return fd;
    }

    private static byte[] le32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    @Test
    void mapsIterateDescribeThemselvesAndReopenById() throws ErrnoException {
        session.call(() -> {
            int map = keep(Bpf.mapCreate(HASH, 4, 8, 16, 0, 0, "iter_map"));
            for (int k = 1; k <= 3; k++) {
                Bpf.mapUpdate(map, le32(k), new byte[8], 0);
            }
            List<Integer> keys = new ArrayList<>();
            for (byte[] k = Bpf.mapGetNextKey(map, null, 4); k != null; k = Bpf.mapGetNextKey(map, k, 4)) {
                keys.add(ByteBuffer.wrap(k).order(ByteOrder.LITTLE_ENDIAN).getInt());
            }
            assertEquals(List.of(1, 2, 3), keys.stream().sorted().toList());
            Bpf.MapInfo info = Bpf.mapInfo(map);
            assertEquals(new Bpf.MapInfo(HASH, info.id(), 4, 8, 16, 0, "iter_map"), info);
            int again = keep(Bpf.mapGetFdById(info.id()));
            assertEquals(info.id(), Bpf.mapInfo(again).id());
            ErrnoException noKey = assertThrows(ErrnoException.class, () -> Bpf.mapLookup(map, le32(9), 8));
            assertEquals(2, noKey.errno());
            ErrnoException exists = assertThrows(ErrnoException.class, () -> Bpf.mapUpdate(map, le32(1), new byte[8], 1));
            assertEquals(17, exists.errno(), "BPF_NOEXIST on a present key");
            return null;
        });
    }

    @Test
    void testRunPassesTheContextInAndOut() throws ErrnoException {
        // r0 = *(u32 *)(r1 + 8): __sk_buff.mark; exit
        long[] insns = {0x61L | (1L << 12) | (8L << 16), 0x95L};
        session.call(() -> {
            int prog = keep(Bpf.progLoad(SCHED_CLS, insns, "GPL", "ret_mark", 0));
            byte[] ctx = new byte[SK_BUFF_SIZE];
            ByteBuffer.wrap(ctx).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 1234);
            byte[] frame = new byte[64];
            frame[12] = 0x08;
            Bpf.TestRun run = Bpf.progTestRun(prog, frame, 64, ctx, SK_BUFF_SIZE, 3);
            assertEquals(1234, run.retval());
            assertArrayEquals(frame, run.dataOut());
            assertEquals(SK_BUFF_SIZE, run.ctxOut().length);
            assertEquals(1234, ByteBuffer.wrap(run.ctxOut()).order(ByteOrder.LITTLE_ENDIAN).getInt(8));
            assertTrue(run.durationNs() >= 0);
            return null;
        });
    }

    /** A minimal BTF blob: the header, one INT "int" (32 bits, signed) and its string table. */
    private static byte[] intBtf() {
        ByteBuffer b = ByteBuffer.allocate(24 + 16 + 5).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 0xeB9F).put((byte) 1).put((byte) 0).putInt(24);  // magic, version, flags, hdr_len
        b.putInt(0).putInt(16).putInt(16).putInt(5);                        // type_off, type_len, str_off, str_len
        b.putInt(1).putInt(1 << 24).putInt(4).putInt((1 << 24) | 32);       // name "int", kind INT, size 4, SIGNED 32 bits
        b.put(new byte[] {0, 'i', 'n', 't', 0});
        return b.array();
    }

    @Test
    void btfLoadsAndARejectedBlobCarriesTheKernelsLog() throws Exception {
        // clang leaves DATASEC sizes 0 (libbpf fixes them before loading), so an object's raw .BTF is
        // rejected as it stands; this is why LinuxKernel creates maps without BTF.
        byte[] raw = ElfLoader.load(Path.of("..", "testdata", "progs", "tcx.o")).btf();
        assertNotNull(raw, "tcx.o carries a .BTF section");
        session.call(() -> {
            assertTrue(keep(Bpf.btfLoad(intBtf())) > 0);
            ErrnoException bad = assertThrows(ErrnoException.class, () -> Bpf.btfLoad(raw));
            assertEquals(22, bad.errno());
            assertTrue(bad.getMessage().contains("DATASEC"), bad.getMessage());
            return null;
        });
    }

    @Test
    void anEmptyGetNextKeyIterationEndsAtOnce() throws ErrnoException {
        session.call(() -> {
            int map = keep(Bpf.mapCreate(HASH, 4, 4, 4, 0, 0, "empty"));
            assertNull(Bpf.mapGetNextKey(map, null, 4));
            return null;
        });
    }
}
