package dev.tcxsim.vm.objects;

import dev.tcxsim.vm.LoadedObject;
import dev.tcxsim.vm.RunEnv;
import dev.tcxsim.vm.RunResult;
import dev.tcxsim.vm.ctx.SkBuff;
import dev.tcxsim.vm.elf.BpfObject;
import dev.tcxsim.vm.elf.ElfLoader;
import dev.tcxsim.vm.support.Modes;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The committed C test programs (testdata/progs/*.o), loaded with the ELF loader and run in every mode. */
class ObjectTest {
    private static BpfObject object(String name) throws Exception {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("testdata/progs"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("testdata/progs not found above " + Path.of("").toAbsolutePath());
        }
        return ElfLoader.load(dir.resolve("testdata/progs/" + name + ".o"));
    }

    private static long u64(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static RunResult ok(RunResult r) {
        assertNull(r.fault(), r.fault());
        return r;
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void verdictCountsRunsAndTags(Modes.Mode mode) throws Exception {
        LoadedObject obj = Modes.vm(mode).load(object("verdict"));
        SkBuff skb = new SkBuff(Modes.packet(64));
        assertEquals(-1, ok(obj.program("verdict").run(skb, RunEnv.DEFAULT)).returnValue(), "TC_ACT_UNSPEC from .rodata");
        assertEquals(1, skb.mark());
        assertEquals(1, skb.cb(0));
        ok(obj.program("verdict").run(skb, RunEnv.DEFAULT));
        assertEquals(0x11, skb.mark());
        assertEquals(2, u64(obj.map("runs").lookup(new byte[4])));
        obj.map(".data").update(new byte[4], ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(2).array(), 0);
        assertEquals(2, ok(obj.program("verdict").run(new SkBuff(Modes.packet(64)), RunEnv.DEFAULT)).returnValue(),
                "the .data override is read at run time");
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void callsNestAndKeepCalleeSavedRegisters(Modes.Mode mode) throws Exception {
        LoadedObject obj = Modes.vm(mode).load(object("calls"));
        int len = 64;
        int x = len & 0xff;
        int expected = (((x * 3 + 7) * 2 + 5) ^ x) + (x + 1);
        assertEquals(expected, ok(obj.program("sum_calls").run(new SkBuff(Modes.packet(len)), RunEnv.DEFAULT)).returnValue());
        SkBuff skb = new SkBuff(Modes.packet(len));
        skb.setPriority(5);
        assertEquals(0, ok(obj.program("mark_calls").run(skb, RunEnv.DEFAULT)).returnValue());
        assertEquals(((len & 0xf) << 8 | (skb.protocol() & 0xf) << 4 | 3) + 2 * 5, skb.mark());
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void globalsOfEverySection(Modes.Mode mode) throws Exception {
        LoadedObject obj = Modes.vm(mode).load(object("globals"));
        List<String> trace = new ArrayList<>();
        RunEnv env = new RunEnv() {
            @Override
            public void tracePrintk(String line) {
                trace.add(line);
            }
        };
        SkBuff skb = new SkBuff(Modes.packet(64));
        assertEquals(42 + 8 + 0xc0ffee, ok(obj.program("use_globals").run(skb, env)).returnValue());
        assertEquals("globals-test".length(), skb.cb(1));
        assertEquals('e', skb.cb(2));
        assertEquals(List.of("limit 42 counter 8"), trace);
        assertEquals(2, u64(obj.map(".bss").lookup(new byte[4])));
        SkBuff odd = new SkBuff(Modes.packet(65));
        assertEquals(42 + 9 + 0xc0ffee, ok(obj.program("use_globals").run(odd, env)).returnValue());
        assertEquals("tcxsim".length(), odd.cb(1));
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void tailCallsFollowTheInitialSlots(Modes.Mode mode) throws Exception {
        LoadedObject obj = Modes.vm(mode).load(object("tailcall"));
        int[][] cases = {{0, 0, 0x211}, {2, 0, 0x201}, {1, 2, 1}, {3, 2, 1}, {99, 2, 1}};
        for (int[] c : cases) {
            SkBuff skb = new SkBuff(Modes.packet(64));
            skb.setCb(0, c[0]);
            RunResult r = ok(obj.program("entry").run(skb, RunEnv.DEFAULT));
            assertEquals(c[1], r.returnValue(), "verdict for slot " + c[0]);
            assertEquals(c[2], skb.mark(), "mark for slot " + c[0]);
        }
    }

    /** An Ethernet + IPv4 + UDP frame to 10.0.0.1:53 with correct IP and UDP checksums. */
    static byte[] udpFrame() {
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + 8 + 4);
        b.put(new byte[] {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2}).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) 32).putShort((short) 0x1234).putShort((short) 0)
                .put((byte) 64).put((byte) 17).putShort((short) 0).put(new byte[] {10, 0, 0, 9}).put(new byte[] {10, 0, 0, 1});
        b.putShort((short) 4000).putShort((short) 53).putShort((short) 12).putShort((short) 0).put(new byte[] {1, 2, 3, 4});
        byte[] f = b.array();
        int ipSum = ~sum(f, 14, 20, 0) & 0xffff;
        f[24] = (byte) (ipSum >> 8);
        f[25] = (byte) ipSum;
        int udpSum = ~sum(f, 34, 12, pseudo(f)) & 0xffff;
        f[40] = (byte) (udpSum >> 8);
        f[41] = (byte) udpSum;
        return f;
    }

    static int sum(byte[] f, int off, int len, int start) {
        int s = start;
        for (int i = off; i < off + len; i += 2) {
            s += (f[i] & 0xff) << 8 | (i + 1 < off + len ? f[i + 1] & 0xff : 0);
        }
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return s;
    }

    static int pseudo(byte[] f) {
        int s = 0;
        for (int i = 26; i < 34; i += 2) {
            s += (f[i] & 0xff) << 8 | (f[i + 1] & 0xff);
        }
        return s + 17 + 12;
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void natRewritesTheAddressAndKeepsBothChecksumsValid(Modes.Mode mode) throws Exception {
        LoadedObject obj = Modes.vm(mode).load(object("nat"));
        SkBuff skb = new SkBuff(udpFrame());
        assertEquals(0, ok(obj.program("dnat").run(skb, RunEnv.DEFAULT)).returnValue(), "TC_ACT_OK");
        byte[] out = skb.data();
        assertArrayEquals(new byte[] {10, 0, 0, 2}, java.util.Arrays.copyOfRange(out, 30, 34));
        assertEquals(0xffff, sum(out, 14, 20, 0), "IPv4 header checksum");
        assertEquals(0xffff, sum(out, 34, 12, pseudo(out)), "UDP checksum over the new pseudo header");
        byte[] other = udpFrame();
        other[33] = 7; // to 10.0.0.7: not NATed
        SkBuff untouched = new SkBuff(other);
        ok(obj.program("dnat").run(untouched, RunEnv.DEFAULT));
        assertArrayEquals(other, untouched.data());
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void parserCountsAFlow(Modes.Mode mode) throws Exception {
        LoadedObject obj = Modes.vm(mode).load(object("parser"));
        for (int i = 0; i < 3; i++) {
            assertEquals(0, ok(obj.program("parse_flow").run(new SkBuff(udpFrame()), RunEnv.DEFAULT)).returnValue());
        }
        byte[] key = obj.map("flows").nextKey(null);
        byte[] stats = obj.map("flows").lookup(key);
        assertEquals(3, ByteBuffer.wrap(stats).order(ByteOrder.LITTLE_ENDIAN).getLong(0), "packets");
        assertEquals(3L * udpFrame().length, ByteBuffer.wrap(stats).order(ByteOrder.LITTLE_ENDIAN).getLong(8), "bytes");
        assertTrue(key[key.length - 3] == 17 || key[key.length - 4] == 17, "the key holds protocol 17");
    }
}
