package dev.tcxsim.vm.golden;

import dev.tcxsim.vm.ctx.SkBuffLayout;
import dev.tcxsim.vm.elf.MapSpec;
import dev.tcxsim.vm.helpers.Helpers;
import dev.tcxsim.vm.maps.BpfMap;
import dev.tcxsim.vm.support.Asm;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.List;
import java.util.stream.Stream;

import static dev.tcxsim.vm.golden.GoldenCase.of;
import static dev.tcxsim.vm.isa.Op.*;
import static dev.tcxsim.vm.support.Asm.*;

/** Map helpers on array and hash maps, direct map values, checksum, packet and redirect helpers. */
class MapHelperGoldenTest {
    private static final MapSpec ARRAY = MapSpec.of("counters", BpfMap.TYPE_ARRAY, 4, 8, 4, 0);
    private static final MapSpec HASH = MapSpec.of("flows", BpfMap.TYPE_HASH, 4, 8, 8, 0);
    private static final MapSpec GLOBALS = MapSpec.of(".data", BpfMap.TYPE_ARRAY, 4, 16, 1, 0);

    private static Asm a() {
        return new Asm();
    }

    /** r2 = pointer to a u32 key 0 on the stack. */
    private static Asm key0(Asm asm) {
        return asm.st(W, R10, -4, 0).mov64r(R2, R10).alu64(ADD, R2, -4);
    }

    private static Asm csum(int helper, int offset, long from, long to, long flags) {
        return a().ldImm64(R3, from).ldImm64(R4, to).mov64(R2, offset).ldImm64(R5, flags).call(helper).exit();
    }

    static List<GoldenCase> cases() {
        return List.of(
                of("array lookup and atomic increment", key0(a().ldMap(R1, 0)).call(Helpers.MAP_LOOKUP_ELEM)
                        .jmp(JEQ, R0, 0, "out").mov64(R1, 1).atomic(DW, R0, R1, 0, ADD).ldx(DW, R0, R0, 0).exit()
                        .label("out").ret(-1), 1).withMaps(ARRAY),
                of("array lookup out of range is NULL", a().st(W, R10, -4, 4).mov64r(R2, R10).alu64(ADD, R2, -4)
                        .ldMap(R1, 0).call(Helpers.MAP_LOOKUP_ELEM).exit(), 0).withMaps(ARRAY),
                of("array update from the program", key0(a()).ldImm64(R1, 0x123456789L).stx(DW, R10, R1, -16)
                        .ldMap(R1, 0).mov64r(R3, R10).alu64(ADD, R3, -16).mov64(R4, 0).call(Helpers.MAP_UPDATE_ELEM)
                        .exit(), 0).withMaps(ARRAY),
                of("array update with NOEXIST is EEXIST", key0(a()).st(DW, R10, -16, 1).ldMap(R1, 0).mov64r(R3, R10)
                        .alu64(ADD, R3, -16).mov64(R4, 1).call(Helpers.MAP_UPDATE_ELEM).exit(), -17).withMaps(ARRAY),
                of("hash insert, duplicate insert, lookup", key0(a()).st(DW, R10, -16, 5).ldMap(R1, 0).mov64r(R3, R10)
                        .alu64(ADD, R3, -16).mov64(R4, 1).call(Helpers.MAP_UPDATE_ELEM)
                        .apply(x -> key0(x)).ldMap(R1, 0).mov64r(R3, R10).alu64(ADD, R3, -16).mov64(R4, 1)
                        .call(Helpers.MAP_UPDATE_ELEM).mov64r(R6, R0)
                        .apply(x -> key0(x)).ldMap(R1, 0).call(Helpers.MAP_LOOKUP_ELEM).jmp(JEQ, R0, 0, "out")
                        .ldx(DW, R0, R0, 0).alu64(MUL, R0, 1000).alu64r(ADD, R0, R6).exit().label("out").ret(-1),
                        5000 - 17).withMaps(HASH),
                of("hash delete of an absent key is ENOENT", key0(a()).ldMap(R1, 0).call(Helpers.MAP_DELETE_ELEM).exit(), -2)
                        .withMaps(HASH),
                of("global data through a map value pointer", a().ldMapValue(R1, 0, 8).st(DW, R1, 0, 99)
                        .ldx(DW, R0, R1, 0).exit(), 99).withMaps(GLOBALS),
                of("csum_diff", a().st(W, R10, -4, 0x01020304).st(W, R10, -8, 0x05060708).mov64r(R1, R10).alu64(ADD, R1, -4)
                        .mov64(R2, 4).mov64r(R3, R10).alu64(ADD, R3, -8).mov64(R4, 4).mov64(R5, 0).call(Helpers.CSUM_DIFF)
                        .exit(), 0x0808),
                of("csum_diff of from only", a().st(W, R10, -4, 0x01020304).mov64r(R1, R10).alu64(ADD, R1, -4)
                        .mov64(R2, 4).mov64(R3, 0).mov64(R4, 0).mov64(R5, 0).call(Helpers.CSUM_DIFF).exit(), 0xfbf9),
                of("csum_diff of nothing returns the seed", a().mov64(R1, 0).mov64(R2, 0).mov64(R3, 0).mov64(R4, 0)
                        .mov64(R5, 0x1234).call(Helpers.CSUM_DIFF).exit(), 0x1234),
                of("csum_diff with a seed", a().st(DW, R10, -8, 0x11223344).mov64(R1, 0).mov64(R2, 0).mov64r(R3, R10)
                        .alu64(ADD, R3, -8).mov64(R4, 8).mov64(R5, 0x7fff0000).call(Helpers.CSUM_DIFF).exit(),
                        0xc465),
                of("csum_diff of 6 bytes", a().mov64(R1, 0).mov64(R2, 0).mov64r(R3, R10).alu64(ADD, R3, -8)
                        .ldImm64(R4, 0x0000a1b2c3d4e5f6L).stx(DW, R10, R4, -8).mov64(R4, 6).mov64(R5, 0)
                        .call(Helpers.CSUM_DIFF).exit(), 0xe5f6 + 0xc3d4 + 0xa1b2 - 0x1fffe),
                of("l3_csum_replace 2 bytes", csum(Helpers.L3_CSUM_REPLACE, 24, 0x1234, 0xabcd, 2).prefixCtx(), 0),
                of("l3_csum_replace 4 bytes", csum(Helpers.L3_CSUM_REPLACE, 24, 0x0a000001, 0xc0a80001L, 4).prefixCtx(), 0),
                of("l3_csum_replace bad flags", csum(Helpers.L3_CSUM_REPLACE, 24, 1, 2, 0x10 | 2).prefixCtx(), -22),
                of("l3_csum_replace beyond the packet", csum(Helpers.L3_CSUM_REPLACE, 63, 1, 2, 2).prefixCtx(), -14),
                of("l4_csum_replace pseudo header", csum(Helpers.L4_CSUM_REPLACE, 40, 0x0a000001, 0x0a000002, 0x10 | 4)
                        .prefixCtx(), 0),
                of("l4_csum_replace keeps a zero UDP checksum", zeroCheck().apply(x -> csumTail(x, Helpers.L4_CSUM_REPLACE,
                        40, 0x1111, 0x2222, 0x20 | 2)), 0),
                of("skb_store_bytes", a().st(W, R10, -4, 0x44332211).mov64(R2, 6).mov64r(R3, R10).alu64(ADD, R3, -4)
                        .mov64(R4, 4).mov64(R5, 0).call(Helpers.SKB_STORE_BYTES).exit(), 0),
                of("skb_store_bytes with BPF_F_RECOMPUTE_CSUM", a().st(W, R10, -4, 0x55667788).mov64(R2, 30)
                        .mov64r(R3, R10).alu64(ADD, R3, -4).mov64(R4, 4).mov64(R5, 1).call(Helpers.SKB_STORE_BYTES).exit(), 0),
                of("skb_store_bytes beyond the packet", a().st(W, R10, -4, 1).mov64(R2, 62).mov64r(R3, R10).alu64(ADD, R3, -4)
                        .mov64(R4, 4).mov64(R5, 0).call(Helpers.SKB_STORE_BYTES).exit(), -14),
                of("skb_store_bytes bad flags", a().st(W, R10, -4, 1).mov64(R2, 0).mov64r(R3, R10).alu64(ADD, R3, -4)
                        .mov64(R4, 4).mov64(R5, 8).call(Helpers.SKB_STORE_BYTES).exit(), -22),
                of("skb_load_bytes", a().mov64(R2, 12).mov64r(R3, R10).alu64(ADD, R3, -8).mov64(R4, 2)
                        .call(Helpers.SKB_LOAD_BYTES).ldx(H, R0, R10, -8).exit(), 0x0008),
                of("skb_load_bytes beyond the packet zeroes the buffer", a().st(DW, R10, -8, -1).mov64(R2, 62)
                        .mov64r(R3, R10).alu64(ADD, R3, -8).mov64(R4, 4).call(Helpers.SKB_LOAD_BYTES).mov64r(R6, R0)
                        .ldx(W, R0, R10, -8).alu64r(ADD, R0, R6).exit(), -14),
                of("redirect", a().mov64(R1, 5).mov64(R2, 0).call(Helpers.REDIRECT).exit(), 7),
                of("redirect to ingress", a().mov64(R1, 5).mov64(R2, 1).call(Helpers.REDIRECT).exit(), 7),
                of("redirect with bad flags is TC_ACT_SHOT", a().mov64(R1, 5).mov64(R2, 2).call(Helpers.REDIRECT).exit(), 2),
                of("redirect_peer with flags is TC_ACT_SHOT", a().mov64(R1, 5).mov64(R2, 1).call(Helpers.REDIRECT_PEER)
                        .exit(), 2),
                of("redirect_neigh", a().mov64(R1, 5).mov64(R2, 0).mov64(R3, 0).mov64(R4, 0).call(Helpers.REDIRECT_NEIGH)
                        .exit(), 7));
    }

    /** Writes a zero checksum at packet offset 40 (after a bounds check) and keeps r1 = ctx in r6. */
    private static Asm zeroCheck() {
        return a().mov64r(R6, R1).ldx(W, R2, R1, SkBuffLayout.DATA).ldx(W, R3, R1, SkBuffLayout.DATA_END).mov64r(R4, R2)
                .alu64(ADD, R4, 42).jmpr(JGT, R4, R3, "out").st(H, R2, 40, 0).label("out").mov64r(R1, R6);
    }

    private static Asm csumTail(Asm asm, int helper, int offset, long from, long to, long flags) {
        return asm.ldImm64(R3, from).ldImm64(R4, to).mov64(R2, offset).ldImm64(R5, flags).call(helper).exit();
    }

    @TestFactory
    Stream<DynamicTest> mapAndHelperCases() {
        return GoldenRunner.tests(cases());
    }
}
