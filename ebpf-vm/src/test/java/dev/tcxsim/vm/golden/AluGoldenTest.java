package dev.tcxsim.vm.golden;

import dev.tcxsim.vm.support.Asm;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.List;
import java.util.stream.Stream;

import static dev.tcxsim.vm.golden.GoldenCase.folded;
import static dev.tcxsim.vm.isa.Op.*;
import static dev.tcxsim.vm.support.Asm.*;

/** ALU, ALU64 and byte-order instructions, with the kernel's edge cases; results computed by hand. */
class AluGoldenTest {
    private static Asm a() {
        return new Asm();
    }

    static List<GoldenCase> cases() {
        return List.of(
                folded("add64", a().mov64(R0, 5).alu64(ADD, R0, 7), 12),
                folded("sub64 below zero", a().mov64(R0, 5).alu64(SUB, R0, 7), -2),
                folded("mul64 wraps", a().ldImm64(R0, 0x100000001L).ldImm64(R1, 0x100000001L).alu64r(MUL, R0, R1),
                        0x0000000200000001L),
                folded("div64 is unsigned", a().mov64(R0, -1).alu64(DIV, R0, 3), 0x5555555555555555L),
                folded("div64 by zero register gives 0", a().mov64(R0, 99).mov64(R1, 0).alu64r(DIV, R0, R1), 0),
                folded("mod64 by zero register keeps dst", a().mov64(R0, 99).mov64(R1, 0).alu64r(MOD, R0, R1), 99),
                folded("mod64 is unsigned", a().mov64(R0, -1).alu64(MOD, R0, 10), Long.remainderUnsigned(-1L, 10)),
                folded("sdiv64 truncates toward zero", a().mov64(R0, -7).aluOff(ALU64, DIV, false, R0, 0, 1, 2), -3),
                folded("smod64 takes the dividend's sign", a().mov64(R0, -7).aluOff(ALU64, MOD, false, R0, 0, 1, 2), -1),
                folded("sdiv64 INT_MIN by -1", a().ldImm64(R0, Long.MIN_VALUE).mov64(R1, -1)
                        .aluOff(ALU64, DIV, true, R0, R1, 1, 0), Long.MIN_VALUE),
                folded("smod64 INT_MIN by -1", a().ldImm64(R0, Long.MIN_VALUE).mov64(R1, -1)
                        .aluOff(ALU64, MOD, true, R0, R1, 1, 0), 0),
                folded("sdiv64 by zero gives 0", a().mov64(R0, -7).mov64(R1, 0).aluOff(ALU64, DIV, true, R0, R1, 1, 0), 0),
                folded("smod64 by zero keeps dst", a().mov64(R0, -7).mov64(R1, 0).aluOff(ALU64, MOD, true, R0, R1, 1, 0), -7),
                folded("or and xor", a().mov64(R0, 0xf0).alu64(OR, R0, 0x0f).alu64(AND, R0, 0x3c).alu64(XOR, R0, 0x101), 0x13d),
                folded("lsh64 by register masks to 63", a().mov64(R0, 3).mov64(R1, 65).alu64r(LSH, R0, R1), 6),
                folded("rsh64 is logical", a().mov64(R0, -1).alu64(RSH, R0, 60), 0xf),
                folded("arsh64 keeps the sign", a().mov64(R0, -16).alu64(ARSH, R0, 2), -4),
                folded("neg64", a().mov64(R0, 5).neg64(R0), -5),
                folded("mov64 imm sign-extends", a().mov64(R0, -1), -1),
                folded("movsx64 8", a().mov64(R1, 0x1ff).aluOff(ALU64, MOV, true, R0, R1, 8, 0), -1),
                folded("movsx64 16", a().mov64(R1, 0x18000).aluOff(ALU64, MOV, true, R0, R1, 16, 0), -32768),
                folded("movsx64 32", a().mov64(R1, 0).ldImm64(R1, 0x80000000L).aluOff(ALU64, MOV, true, R0, R1, 32, 0),
                        Integer.MIN_VALUE),
                folded("add32 wraps and zero-extends", a().ldImm64(R0, 0xffffffffL).alu32(ADD, R0, 2), 1),
                folded("alu32 clears the upper half", a().ldImm64(R0, 0x100000005L).alu32(ADD, R0, 0), 5),
                folded("mov32 -1 zero-extends", a().mov32(R0, -1), 0xffffffffL),
                folded("div32 by zero gives 0", a().ldImm64(R0, 0x100000009L).mov64(R1, 0).alu32r(DIV, R0, R1), 0),
                folded("mod32 by zero keeps the low half", a().ldImm64(R0, 0x100000009L).mov64(R1, 0).alu32r(MOD, R0, R1), 9),
                folded("div32 uses the low halves", a().ldImm64(R0, 0x700000064L).ldImm64(R1, 0x300000007L).alu32r(DIV, R0, R1), 14),
                folded("sdiv32", a().mov32(R0, -7).aluOff(ALU, DIV, false, R0, 0, 1, 2), 0xfffffffdL),
                folded("smod32", a().mov32(R0, -7).aluOff(ALU, MOD, false, R0, 0, 1, 2), 0xffffffffL),
                folded("sdiv32 INT_MIN by -1", a().mov32(R0, Integer.MIN_VALUE).mov32(R1, -1)
                        .aluOff(ALU, DIV, true, R0, R1, 1, 0), 0x80000000L),
                folded("smod32 INT_MIN by -1", a().mov32(R0, Integer.MIN_VALUE).mov32(R1, -1)
                        .aluOff(ALU, MOD, true, R0, R1, 1, 0), 0),
                folded("smod32 by zero keeps the low half", a().ldImm64(R0, 0x1fffffff9L).mov64(R1, 0)
                        .aluOff(ALU, MOD, true, R0, R1, 1, 0), 0xfffffff9L),
                folded("arsh32", a().mov32(R0, Integer.MIN_VALUE).alu32(ARSH, R0, 4), 0xf8000000L),
                folded("lsh32 by register masks to 31", a().mov64(R0, 3).mov64(R1, 33).alu32r(LSH, R0, R1), 6),
                folded("rsh32 of a 64-bit value", a().ldImm64(R0, 0xabcd00000080L).alu32(RSH, R0, 4), 8),
                folded("neg32", a().mov64(R0, 5).neg32(R0), 0xfffffffbL),
                folded("movsx32 8", a().mov64(R1, 0x80).aluOff(ALU, MOV, true, R0, R1, 8, 0), 0xffffff80L),
                folded("movsx32 16", a().mov64(R1, 0x8000).aluOff(ALU, MOV, true, R0, R1, 16, 0), 0xffff8000L),
                folded("le16 truncates", a().ldImm64(R0, 0x1122334455667788L).le(R0, 16), 0x7788),
                folded("le32 truncates", a().ldImm64(R0, 0x1122334455667788L).le(R0, 32), 0x55667788L),
                folded("le64 keeps", a().ldImm64(R0, 0x1122334455667788L).le(R0, 64), 0x1122334455667788L),
                folded("be16 swaps and truncates", a().ldImm64(R0, 0x1122334455667788L).be(R0, 16), 0x8877),
                folded("be32", a().ldImm64(R0, 0x1122334455667788L).be(R0, 32), 0x88776655L),
                folded("be64", a().ldImm64(R0, 0x1122334455667788L).be(R0, 64), 0x8877665544332211L),
                folded("bswap16", a().ldImm64(R0, 0x1122334455667788L).bswap(R0, 16), 0x8877),
                folded("bswap32", a().ldImm64(R0, 0x1122334455667788L).bswap(R0, 32), 0x88776655L),
                folded("bswap64", a().ldImm64(R0, 0x1122334455667788L).bswap(R0, 64), 0x8877665544332211L),
                folded("ld_imm64 full width", a().ldImm64(R0, 0xdeadbeefcafef00dL), 0xdeadbeefcafef00dL));
    }

    @TestFactory
    Stream<DynamicTest> aluCases() {
        return GoldenRunner.tests(cases());
    }
}
