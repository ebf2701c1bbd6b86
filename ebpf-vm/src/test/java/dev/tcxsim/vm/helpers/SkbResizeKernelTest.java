package dev.tcxsim.vm.helpers;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * skb_resize.o's programs on the simulator and, as root on Linux 6.6+, on the real kernel through
 * BPF_PROG_TEST_RUN: the same r0 (each case also names the r0 expected, so the simulator is checked
 * where no kernel runs), the same packet afterwards and the same __sk_buff handed back.
 */
class SkbResizeKernelTest {
    static final int EINVAL = -22, EFAULT = -14, ENOMEM = -12, ENOTSUPP = -524, EALREADY = -114;

    static byte[] frame(String kind) {
        return switch (kind) {
            case "v4" -> SkbOracle.ipv4Udp(0);
            case "v6" -> SkbOracle.ipv6Udp(0);
            case "vlan" -> SkbOracle.vlanTagged(SkbOracle.ipv4Udp(0), 0x8100, 0x2005);
            case "qinq" -> SkbOracle.vlanTagged(SkbOracle.vlanTagged(SkbOracle.ipv4Udp(0), 0x8100, 7), 0x88a8, 9);
            case "shortvlan" -> shortVlan();
            case "other" -> SkbOracle.nonIp(60);
            default -> throw new IllegalArgumentException(kind);
        };
    }

    /** 16 bytes with the 802.1Q ethertype: too short for the tag that type announces. */
    static byte[] shortVlan() {
        byte[] f = SkbOracle.nonIp(16);
        f[12] = (byte) 0x81;
        f[13] = 0;
        return f;
    }

    static int num(String s) {
        return (int) Long.decode(s).longValue();
    }

    /** cb values "a b c" (decimal or 0x hex, may be negative) to a ctx_in; "gso" appends gso_segs 3 / gso_size 100. */
    static byte[] ctx(String cbs, boolean gso) {
        String[] parts = cbs.isBlank() ? new String[0] : cbs.trim().split("\\s+");
        int[] cb = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            cb[i] = num(parts[i]);
        }
        byte[] c = SkbOracle.ctx(cb);
        if (gso) {
            SkbOracle.le(c).putInt(dev.tcxsim.vm.ctx.SkBuffLayout.GSO_SEGS, 3);
            SkbOracle.le(c).putInt(dev.tcxsim.vm.ctx.SkBuffLayout.GSO_SIZE, 100);
        }
        return c;
    }

    @ParameterizedTest(name = "{0} on {1} with cb [{2}]{3}: r0 {4}")
    @CsvSource(delimiter = '|', value = {
        // change_tail: cb new_len, flags lo, flags hi
        "change_tail | v4 | 60 0 0 | | 0",
        "change_tail | v4 | 30 0 0 | | 0",
        "change_tail | v4 | 14 0 0 | | 0",
        "change_tail | v4 | 13 0 0 | | " + EINVAL,
        "change_tail | v4 | 60 1 0 | | " + EINVAL,
        "change_tail | v4 | 60 0 1 | | " + EINVAL,
        "change_tail | v4 | " + SkbHelpers.SKB_MAX_LEN + " 0 0 | | 0",
        "change_tail | v4 | " + (SkbHelpers.SKB_MAX_LEN + 1) + " 0 0 | | " + EINVAL,
        "change_tail | v4 | -1 0 0 | | " + EINVAL,
        "change_tail | v4 | 40 0 0 | gso | 0",
        // change_head: cb head_room, flags lo, flags hi
        "change_head | v4 | 14 0 0 | | 0",
        "change_head | v4 | 0 0 0 | | 0",
        "change_head | v4 | 4 1 0 | | " + EINVAL,
        "change_head | v4 | " + (SkbHelpers.SKB_MAX_LEN - 46) + " 0 0 | | 0",
        "change_head | v4 | " + (SkbHelpers.SKB_MAX_LEN - 45) + " 0 0 | | " + EINVAL,
        "change_head | v4 | -1 0 0 | | " + EINVAL,
        "change_head | v4 | 20000 0 0 | gso | 0",
        "change_head | v4 | 40000 0 0 | gso | 0",
        "change_head | v4 | 5000000 0 0 | gso | " + ENOMEM,
        // pull_data: cb len
        "pull_data | v4 | 0 | | 0",
        "pull_data | v4 | 46 | | 0",
        "pull_data | v4 | 47 | | " + ENOMEM,
        "pull_data | v4 | -1 | | " + ENOMEM,
        // adjust_room: cb len_diff, mode (bit 31: call twice), flags lo, flags hi
        "adjust_room | v4 | 8 0 0 0 | | 0",
        "adjust_room | v4 | 8 1 0 0 | | 0",
        "adjust_room | v6 | 16 0 0 0 | | 0",
        "adjust_room | v4 | -8 0 0 0 | | 0",
        "adjust_room | v4 | -12 0 0 0 | | 0",
        "adjust_room | v4 | -13 0 0 0 | | " + ENOTSUPP,
        "adjust_room | v4 | -32 1 0 0 | | " + ENOTSUPP,
        "adjust_room | v4 | -31 1 0 0 | | " + ENOTSUPP,
        "adjust_room | v4 | 4096 0 0 0 | | " + EFAULT,
        "adjust_room | v4 | 4095 0 0 0 | | 0",
        "adjust_room | v4 | -4096 0 0 0 | | " + EFAULT,
        "adjust_room | v4 | 8 2 0 0 | | " + ENOTSUPP,
        "adjust_room | v4 | 8 0 0x200 0 | | " + EINVAL,
        "adjust_room | v4 | 8 0 0 0x1 | | " + EINVAL,
        "adjust_room | v4 | 8 0 0 0x1000000 | | 0",
        "adjust_room | v4 | 8 0 0x80 0 | | " + EINVAL,
        "adjust_room | v4 | -8 0 0x180 0 | | " + EINVAL,
        "adjust_room | v4 | -8 0 0x2 0 | | " + EINVAL,
        "adjust_room | v4 | -8 1 0x21 0 | | 0",
        "adjust_room | other | 8 0 0 0 | | " + ENOTSUPP,
        "adjust_room | v4 | 28 1 0x12 0 | | 0",
        "adjust_room | v4 | 24 1 0xa 0 | | 0",
        "adjust_room | v4 | 20 1 0x2 0 | | 0",
        "adjust_room | v4 | 40 1 0x4 0 | | 0",
        "adjust_room | v6 | 20 1 0x2 0 | | 0",
        "adjust_room | v4 | 40 1 0x6 0 | | " + EINVAL,
        "adjust_room | v4 | 40 1 0x1a 0 | | " + EINVAL,
        "adjust_room | v4 | 40 1 0x42 0x0a000000 | | " + EINVAL,
        "adjust_room | v4 | 8 1 0x42 0x0e000000 | | " + EINVAL,
        "adjust_room | v4 | 42 1 0x52 0x0e000000 | | 0",
        "adjust_room | v4 | 4 1 0x0 0x0e000000 | | 0",
        "adjust_room | v4 | 28 0x80000001 0x12 0 | | 0",
        "adjust_room | v4 | 8 0 0x8 0 | | 0",
        "adjust_room | v4 | 8 0 0 0 | gso | " + ENOTSUPP,
        "adjust_room | v4 | 8 0 0x1 0 | gso | " + ENOTSUPP,
        "adjust_room | v4 | -8 0 0x1 0 | gso | " + ENOTSUPP,
        // encap_then: 1 = change_tail on the encapsulated packet, 2 = decap then encap again
        "encap_then | v4 | 1 | | 0",
        "encap_then | v4 | 2 | | 0",
        // change_proto: cb protocol (__be16), flags
        "change_proto | v4 | 0xdd86 0 | | 0",
        "change_proto | v6 | 0x0008 0 | | 0",
        "change_proto | v4 | 0x0008 0 | | " + ENOTSUPP,
        "change_proto | v4 | 0xdd86 1 | | " + EINVAL,
        "change_proto | other | 0xdd86 0 | | " + ENOTSUPP,
        // change_type: cb pkt_type
        "change_type | v4 | 0 | | 0",
        "change_type | v4 | 2 | | 0",
        "change_type | v4 | 4 | | " + EINVAL,
        "change_type | v4 | -1 | | " + EINVAL,
        // vlan: cb ops (1 push cb1, 2 push cb2, 3 pop), cb1/cb2 = proto (__be16) | tci << 16
        "vlan | v4 | 0x1 0x50081 | | 0",
        "vlan | v4 | 0x101 0x50081 | | 0",
        "vlan | v4 | 0x201 0x50081 0x0700a888 | | 0",
        "vlan | v4 | 0x1 0x53412 | | 0",
        "vlan | v4 | 0x301 0x5a888 | | 0",
        "vlan | v4 | 0x3 | | 0",
        "vlan | vlan | 0x3 | | 0",
        "vlan | qinq | 0x3 | | 0",
        "vlan | qinq | 0x303 | | 0",
        "vlan | vlan | 0x103 0x90081 | | 0",
        "vlan | shortvlan | 0x3 | | " + ENOMEM,
    })
    void sameAsTheKernel(String program, String kind, String cbs, String gso, int expected) throws Throwable {
        SkbOracle.Result r = SkbOracle.compare("skb_resize", program, frame(kind), ctx(cbs, gso != null && !gso.isBlank()));
        assertEquals(expected, r.r0(), () -> "r0 of " + program + ": " + r);
    }

    /** BPF_F_TEST_SKB_CHECKSUM_COMPLETE: skb->csum follows the bytes adjust_room removes (test_run fails the run otherwise). */
    @ParameterizedTest(name = "adjust_csum on {0} with cb [{1}], CHECKSUM_COMPLETE: r0 {2}")
    @CsvSource(delimiter = '|', value = {
        "v4 | -8 0 0 | 0",
        "v4 | -12 0 0 | 0",
        "v4 | 8 0 0 | 0",
        "v6 | -16 1 0 | " + ENOTSUPP,
        "v6 | -4 0 0 | 0",
    })
    void adjustRoomKeepsAChecksumCompleteRight(String kind, String cbs, int expected) throws Throwable {
        SkbOracle.Result r = SkbOracle.compare("skb_resize", "adjust_csum", frame(kind), ctx(cbs, false),
                dev.tcxsim.vm.RunEnv.DEFAULT, true);
        assertEquals(expected, r.r0(), r::toString);
        byte[] p = r.packet();
        long now = Csum.partial(java.util.Arrays.copyOfRange(p, 14, p.length), 0);
        assertEquals(Csum.from32to16(now), Csum.from32to16(r.cb(3) & 0xffffffffL), "skb->csum still sums the packet");
    }

    @org.junit.jupiter.api.Test
    void changeTailPadsWithZerosAndKeepsWireLen() throws Throwable {
        byte[] in = frame("v4");
        SkbOracle.Result r = SkbOracle.compare("skb_resize", "change_tail", in, ctx("60 0 0", false));
        byte[] want = java.util.Arrays.copyOf(in, 60);
        assertArrayEquals(want, r.packet());
        assertEquals(60, r.cb(3), "len seen by the program");
        assertEquals(46, SkbOracle.le(r.ctxOut()).getInt(dev.tcxsim.vm.ctx.SkBuffLayout.WIRE_LEN), "wire_len");
    }

    @org.junit.jupiter.api.Test
    void adjustRoomNetInsertsBehindTheIpHeader() throws Throwable {
        byte[] in = frame("v4");
        SkbOracle.Result r = SkbOracle.compare("skb_resize", "adjust_room", in, ctx("8 0 0 0", false));
        byte[] p = r.packet();
        assertEquals(HexFormat.of().formatHex(in, 0, 34), HexFormat.of().formatHex(p, 0, 34));
        assertArrayEquals(new byte[8], java.util.Arrays.copyOfRange(p, 34, 42));
        assertEquals(HexFormat.of().formatHex(in, 34, in.length), HexFormat.of().formatHex(p, 42, p.length));
    }

    @org.junit.jupiter.api.Test
    void vlanPushKeepsTheTagOutOfThePacketUntilASecondPush() throws Throwable {
        byte[] in = frame("v4");
        SkbOracle.Result one = SkbOracle.compare("skb_resize", "vlan", in, ctx("0x1 0x50081", false));
        assertArrayEquals(in, one.packet());
        assertEquals(1 | 5 << 8, one.cb(3), "vlan_present | vlan_tci << 8");
        assertEquals(0x0081 | 0x0008 << 16, one.cb(4), "vlan_proto | protocol << 16");
        SkbOracle.Result two = SkbOracle.compare("skb_resize", "vlan", in, ctx("0x101 0x50081", false));
        assertEquals(in.length + 4, two.packet().length);
        assertEquals("8100" + "0005" + "0800", HexFormat.of().formatHex(two.packet(), 12, 18));
    }
}
