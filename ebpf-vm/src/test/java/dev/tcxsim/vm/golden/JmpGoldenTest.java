package dev.tcxsim.vm.golden;

import dev.tcxsim.vm.support.Asm;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static dev.tcxsim.vm.golden.GoldenCase.of;
import static dev.tcxsim.vm.isa.Op.*;
import static dev.tcxsim.vm.support.Asm.*;

/** JMP and JMP32 conditions, gotol, loops and BPF-to-BPF calls. */
class JmpGoldenTest {
    private static Asm a() {
        return new Asm();
    }

    /** r0 = 1 if (a op b) else 2, with a and b as 64-bit values; {@code jmp32} compares the low halves. */
    private static GoldenCase cond(String name, int op, boolean jmp32, long x, long y, boolean taken) {
        Asm asm = a().ldImm64(R1, x).ldImm64(R2, y);
        if (jmp32) {
            asm.jmp32r(op, R1, R2, "yes");
        } else {
            asm.jmpr(op, R1, R2, "yes");
        }
        asm.ret(2).label("yes").ret(1);
        return of(name, asm, taken ? 1 : 2);
    }

    static List<GoldenCase> cases() {
        List<GoldenCase> c = new ArrayList<>();
        c.add(cond("jeq taken", JEQ, false, 5, 5, true));
        c.add(cond("jeq not taken", JEQ, false, 5, 6, false));
        c.add(cond("jgt is unsigned", JGT, false, -1, 1, true));
        c.add(cond("jsgt is signed", JSGT, false, -1, 1, false));
        c.add(cond("jge equal", JGE, false, 7, 7, true));
        c.add(cond("jsge", JSGE, false, -5, -6, true));
        c.add(cond("jlt unsigned", JLT, false, 1, -1, true));
        c.add(cond("jle", JLE, false, 8, 7, false));
        c.add(cond("jslt", JSLT, false, -8, 7, true));
        c.add(cond("jsle", JSLE, false, -8, -8, true));
        c.add(cond("jset", JSET, false, 0x10, 0x30, true));
        c.add(cond("jset none", JSET, false, 0x10, 0x20, false));
        c.add(cond("jne", JNE, false, 0x100000000L, 0, true));
        c.add(cond("jeq32 ignores the upper half", JEQ, true, 0x100000000L, 0, true));
        c.add(cond("jgt32 unsigned low halves", JGT, true, 0x0000000180000000L, 0x00000000000000ffL, true));
        c.add(cond("jsgt32 signed low halves", JSGT, true, 0x80000000L, 1, false));
        c.add(cond("jslt32", JSLT, true, 0xffffffffL, 0, true));
        c.add(cond("jset32", JSET, true, 0x100000000L, 0x100000000L, false));
        c.add(of("jeq with a sign-extended imm", a().mov64(R1, -1).jmp(JEQ, R1, -1, "yes").ret(2).label("yes").ret(1), 1));
        c.add(of("jgt imm is sign-extended then unsigned", a().mov64(R1, 5).jmp(JGT, R1, -1, "yes").ret(2).label("yes").ret(1), 2));
        c.add(of("jeq32 imm", a().ldImm64(R1, 0x7ffffffffL).jmp32(JEQ, R1, -1, "yes").ret(2).label("yes").ret(1), 1));
        // the conditional jump keeps "two" reachable for the kernel's CFG check; it is never taken
        c.add(of("ja skips", a().mov64(R0, 1).mov64(R1, 0).jmp(JEQ, R1, 1, "two").ja("end")
                .label("two").mov64(R0, 2).label("end").exit(), 1));
        c.add(of("gotol skips", a().mov64(R0, 1).mov64(R1, 0).jmp(JEQ, R1, 1, "two").gotol("end")
                .label("two").mov64(R0, 2).mov64(R0, 3).label("end").exit(), 1));
        c.add(of("bounded loop sums 1..100", a().mov64(R0, 0).mov64(R1, 100).label("loop").alu64r(ADD, R0, R1)
                .alu64(SUB, R1, 1).jmp(JNE, R1, 0, "loop").exit(), 5050));
        c.add(of("long loop (OSR)", a().mov64(R0, 0).mov64(R1, 200_000).label("loop").alu64r(ADD, R0, R1)
                .alu64(SUB, R1, 1).jmp(JNE, R1, 0, "loop").exit(), 200_000L * 200_001 / 2).noKernel());
        c.add(of("call passes r1 and returns r0", a().mov64(R1, 3).callLocal("f").alu64(ADD, R0, 1).exit()
                .label("f").mov64r(R0, R1).alu64(MUL, R0, 10).exit(), 31));
        c.add(of("r6 is callee-saved", a().mov64(R6, 100).mov64(R1, 1).callLocal("f").alu64r(ADD, R0, R6).exit()
                .label("f").mov64(R6, 5).mov64r(R0, R6).exit(), 105));
        c.add(of("each frame has its own stack", a().st(DW, R10, -8, 1).callLocal("f").ldx(DW, R1, R10, -8)
                .alu64(MUL, R0, 10).alu64r(ADD, R0, R1).exit()
                .label("f").st(DW, R10, -8, 2).ldx(DW, R0, R10, -8).exit(), 21));
        c.add(of("a callee reads its caller's stack", a().st(DW, R10, -8, 40).mov64r(R1, R10).alu64(ADD, R1, -8)
                .callLocal("f").exit()
                .label("f").ldx(DW, R0, R1, 0).alu64(ADD, R0, 2).exit(), 42));
        c.add(of("calls nest", a().mov64(R1, 1).callLocal("f").exit()
                .label("f").mov64r(R6, R1).alu64(ADD, R1, 1).callLocal("g").alu64r(ADD, R0, R6).exit()
                .label("g").mov64r(R0, R1).alu64(MUL, R0, 100).exit(), 201));
        return c;
    }

    @TestFactory
    Stream<DynamicTest> jmpCases() {
        return GoldenRunner.tests(cases());
    }
}
