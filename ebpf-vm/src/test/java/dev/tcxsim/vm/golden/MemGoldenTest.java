package dev.tcxsim.vm.golden;

import dev.tcxsim.vm.ctx.SkBuffLayout;
import dev.tcxsim.vm.support.Asm;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.List;
import java.util.stream.Stream;

import static dev.tcxsim.vm.golden.GoldenCase.folded;
import static dev.tcxsim.vm.golden.GoldenCase.of;
import static dev.tcxsim.vm.isa.Op.*;
import static dev.tcxsim.vm.support.Asm.*;

/** Loads, stores and atomics on the stack, the packet and the context, and the legacy packet loads. */
class MemGoldenTest {
    private static Asm a() {
        return new Asm();
    }

    /** r2 = data, r3 = data_end; if data + n > data_end return 0 (the kernel needs the check before packet access). */
    private static Asm packet(int n) {
        return a().ldx(W, R2, R1, SkBuffLayout.DATA).ldx(W, R3, R1, SkBuffLayout.DATA_END).mov64r(R4, R2)
                .alu64(ADD, R4, n).jmpr(JGT, R4, R3, "out");
    }

    static List<GoldenCase> cases() {
        return List.of(
                folded("stack dw round trip (st imm sign-extends)", a().st(DW, R10, -8, -2).ldx(DW, R0, R10, -8), -2),
                folded("stack partial loads are little-endian", a().ldImm64(R1, 0x1122334455667788L).stx(DW, R10, R1, -8)
                        .ldx(H, R0, R10, -6), 0x5566),
                folded("st w and ldx w", a().st(W, R10, -4, 0x12345678).ldx(W, R0, R10, -4), 0x12345678),
                folded("ldsx b", a().ldImm64(R1, 0xffffffff80ff8080L).stx(DW, R10, R1, -8).ldxsx(B, R0, R10, -8), -128),
                folded("ldsx h", a().ldImm64(R1, 0xffffffff80ff8080L).stx(DW, R10, R1, -8).ldxsx(H, R0, R10, -8), -32640),
                folded("ldsx w", a().ldImm64(R1, 0x0000000080ff8080L).stx(DW, R10, R1, -8).ldxsx(W, R0, R10, -8),
                        (long) (int) 0x80ff8080),
                of("packet read after a bounds check", packet(14).ldx(H, R0, R2, 12).exit().label("out").ret(0), 0x0008),
                of("packet write", packet(8).st(B, R2, 0, 0xaa).mov64(R5, 0x01020304).stx(W, R2, R5, 4).ret(0)
                        .label("out").ret(1), 0),
                of("data_meta equals data without metadata", a().ldx(W, R2, R1, SkBuffLayout.DATA)
                        .ldx(W, R3, R1, SkBuffLayout.DATA_META).mov64r(R0, R2).alu64r(SUB, R0, R3).exit(), 0),
                of("ctx len", a().ldx(W, R0, R1, SkBuffLayout.LEN).exit(), 64),
                of("ctx protocol is in network byte order", a().ldx(W, R0, R1, SkBuffLayout.PROTOCOL).exit(), 0x0008),
                of("ctx narrow load", a().ldx(B, R0, R1, SkBuffLayout.PROTOCOL).exit(), 0x08),
                of("ctx ifindex", a().ldx(W, R0, R1, SkBuffLayout.IFINDEX).exit(), 1),
                of("ctx mark write and read", a().mov64(R2, 42).stx(W, R1, R2, SkBuffLayout.MARK)
                        .ldx(W, R0, R1, SkBuffLayout.MARK).exit(), 42),
                of("ctx priority write and read", a().mov64(R2, 6).stx(W, R1, R2, SkBuffLayout.PRIORITY)
                        .ldx(W, R0, R1, SkBuffLayout.PRIORITY).exit(), 6),
                of("ctx cb[1]", a().mov64(R2, 7).stx(W, R1, R2, SkBuffLayout.CB + 4).ldx(W, R0, R1, SkBuffLayout.CB + 4).exit(), 7),
                of("ctx cb byte store", a().mov64(R2, 0).stx(W, R1, R2, SkBuffLayout.CB).mov64(R2, 0x5a)
                        .stx(B, R1, R2, SkBuffLayout.CB + 1).ldx(W, R0, R1, SkBuffLayout.CB).exit(), 0x5a00),
                of("ld_abs h is network order", a().mov64r(R6, R1).ldAbs(H, 12).exit(), 0x0800),
                of("ld_abs w", a().mov64r(R6, R1).ldAbs(W, 60).exit(), 0xa5acb3baL),
                of("ld_abs out of bounds ends the program with 0", a().mov64r(R6, R1).mov64(R0, 77).ldAbs(W, 62).ret(5), 0),
                of("ld_ind b", a().mov64r(R6, R1).mov64(R7, 10).ldInd(B, R7, 2).exit(), 0x08),
                of("atomic fetch add 64", a().st(DW, R10, -8, 10).mov64(R1, 5).atomic(DW, R10, R1, -8, ADD | FETCH)
                        .ldx(DW, R2, R10, -8).mov64r(R0, R2).alu64(MUL, R0, 100).alu64r(ADD, R0, R1).exit(), 1510),
                of("atomic add 32 wraps", a().st(W, R10, -4, -1).mov64(R1, 2).atomic(W, R10, R1, -4, ADD)
                        .ldx(W, R0, R10, -4).exit(), 1),
                of("atomic or/and/xor fetch", a().st(DW, R10, -8, 0xf0).mov64(R1, 0x0f).atomic(DW, R10, R1, -8, OR | FETCH)
                        .mov64(R3, 0x3c).atomic(DW, R10, R3, -8, AND | FETCH).mov64(R4, 0x101)
                        .atomic(DW, R10, R4, -8, XOR | FETCH).ldx(DW, R0, R10, -8).alu64r(ADD, R0, R1)
                        .alu64r(ADD, R0, R3).alu64r(ADD, R0, R4).exit(), 0x13d + 0xf0 + 0xff + 0x3c),
                of("atomic xchg", a().st(DW, R10, -8, 7).mov64(R1, 9).atomic(DW, R10, R1, -8, XCHG).ldx(DW, R0, R10, -8)
                        .alu64(MUL, R0, 100).alu64r(ADD, R0, R1).exit(), 907),
                of("atomic cmpxchg succeeds", a().st(DW, R10, -8, 7).mov64(R0, 7).mov64(R1, 9)
                        .atomic(DW, R10, R1, -8, CMPXCHG).ldx(DW, R2, R10, -8).alu64(MUL, R0, 100).alu64r(ADD, R0, R2)
                        .exit(), 709),
                of("atomic cmpxchg fails", a().st(DW, R10, -8, 7).mov64(R0, 8).mov64(R1, 9)
                        .atomic(DW, R10, R1, -8, CMPXCHG).ldx(DW, R2, R10, -8).alu64(MUL, R0, 100).alu64r(ADD, R0, R2)
                        .exit(), 707),
                of("atomic cmpxchg32 compares the low half", a().st(W, R10, -4, 7).ldImm64(R0, 0x100000007L).mov64(R1, 9)
                        .atomic(W, R10, R1, -4, CMPXCHG).ldx(W, R2, R10, -4).alu64(MUL, R0, 100).alu64r(ADD, R0, R2)
                        .exit(), 709),
                of("load-acquire and store-release", a().st(DW, R10, -8, 0).mov64(R1, 0x1234)
                        .atomic(W, R10, R1, -8, STORE_REL).atomic(DW, R0, R10, -8, LOAD_ACQ).exit(), 0x1234),
                of("load-acquire of a byte", a().st(DW, R10, -8, 0x7f80).atomic(B, R0, R10, -8, LOAD_ACQ).exit(), 0x80),
                folded("atomic fetch add 32 zero-extends", a().st(W, R10, -4, -1).mov64(R1, 1)
                        .atomic(W, R10, R1, -4, ADD | FETCH).mov64r(R0, R1), 0xffffffffL));
    }

    @TestFactory
    Stream<DynamicTest> memoryCases() {
        return GoldenRunner.tests(cases());
    }
}
