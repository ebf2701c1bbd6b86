package dev.tcxsim.vm.random;

import dev.tcxsim.vm.ctx.SkBuffLayout;
import dev.tcxsim.vm.support.Asm;

import java.util.SplittableRandom;

import static dev.tcxsim.vm.isa.Op.*;
import static dev.tcxsim.vm.support.Asm.*;

/**
 * Seeded generator of well-formed, terminating programs that the kernel's verifier also accepts:
 * forward jumps, small counted loops (counter in a stack slot), and calls to a generated
 * sub-program; every register and stack slot is written before it is read (r1-r5 again after a
 * call), r9 keeps the context and r10 the frame, and the result folds every register into r0.
 */
final class RandomPrograms {
    private static final int[] ALU_OPS = {ADD, SUB, MUL, DIV, OR, AND, LSH, RSH, MOD, XOR, MOV, ARSH};
    private static final int[] JMP_OPS = {JEQ, JGT, JGE, JSET, JNE, JSGT, JSGE, JLT, JLE, JSLT, JSLE};
    private static final int[] CTX_FIELDS = {SkBuffLayout.LEN, SkBuffLayout.PROTOCOL, SkBuffLayout.MARK,
        SkBuffLayout.PRIORITY, SkBuffLayout.IFINDEX, SkBuffLayout.CB};

    private RandomPrograms() {
    }

    static long[] generate(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Asm a = new Asm().mov64r(R9, R1);
        for (int r = 0; r <= 8; r++) {
            if (rnd.nextBoolean()) {
                a.ldImm64(r, rnd.nextLong());
            } else {
                a.mov64(r, rnd.nextInt(-1000, 1000));
            }
        }
        for (int slot = 1; slot <= 8; slot++) {
            a.stx(DW, R10, rnd.nextInt(9), -8 * slot);
        }
        int n = rnd.nextInt(15, 60);
        int labels = 0;
        int[] pendingAt = new int[n + 1];
        java.util.Arrays.fill(pendingAt, -1);
        java.util.List<java.util.List<String>> placeAt = new java.util.ArrayList<>();
        for (int i = 0; i <= n; i++) {
            placeAt.add(new java.util.ArrayList<>());
        }
        for (int i = 0; i < n; i++) {
            for (String l : placeAt.get(i)) {
                a.label(l);
            }
            int dst = rnd.nextInt(9);
            int src = rnd.nextInt(9);
            int kind = rnd.nextInt(100);
            if (kind < 45) {
                int op = ALU_OPS[rnd.nextInt(ALU_OPS.length)];
                boolean is64 = rnd.nextBoolean();
                int cls = is64 ? ALU64 : ALU;
                boolean x = rnd.nextBoolean();
                int off = 0;
                if ((op == DIV || op == MOD) && rnd.nextInt(3) == 0) {
                    off = 1;
                } else if (op == MOV && x && rnd.nextInt(3) == 0) {
                    int[] widths = is64 ? new int[] {8, 16, 32} : new int[] {8, 16};
                    off = widths[rnd.nextInt(widths.length)];
                }
                int imm;
                if (op == LSH || op == RSH || op == ARSH) {
                    imm = rnd.nextInt(is64 ? 64 : 32);
                } else if (op == DIV || op == MOD) {
                    imm = rnd.nextBoolean() ? rnd.nextInt(1, 100) : -rnd.nextInt(1, 100);
                } else {
                    imm = rnd.nextInt(8) == 0 ? rnd.nextInt() : rnd.nextInt(-300, 300);
                }
                a.aluOff(cls, op, x, dst, x ? src : 0, off, x ? 0 : imm);
            } else if (kind < 50) {
                if (rnd.nextBoolean()) {
                    a.raw(dev.tcxsim.vm.isa.Op.make((rnd.nextBoolean() ? ALU64 : ALU) | NEG, dst, 0, 0, 0));
                } else {
                    int[] bits = {16, 32, 64};
                    int b = bits[rnd.nextInt(3)];
                    switch (rnd.nextInt(3)) {
                        case 0 -> a.le(dst, b);
                        case 1 -> a.be(dst, b);
                        default -> a.bswap(dst, b);
                    }
                }
            } else if (kind < 62) {
                a.stx(rnd.nextBoolean() ? DW : W, R10, src, -8 * rnd.nextInt(1, 9));
            } else if (kind < 74) {
                int[] sizes = {B, H, W, DW};
                int size = sizes[rnd.nextInt(4)];
                int slot = -8 * rnd.nextInt(1, 9);
                int bytes = dev.tcxsim.vm.isa.Op.sizeBytes(size);
                int within = rnd.nextInt(8 / bytes) * bytes;
                if (size != DW && rnd.nextInt(3) == 0) {
                    a.ldxsx(size, dst, R10, slot + within);
                } else {
                    a.ldx(size, dst, R10, slot + within);
                }
            } else if (kind < 80) {
                a.ldx(W, dst, R9, CTX_FIELDS[rnd.nextInt(CTX_FIELDS.length)]);
            } else if (kind < 81) {
                // a counted loop of 1..5 rounds over a few ALU instructions; the counter lives in slot 9
                String loop = "loop" + labels++;
                a.st(DW, R10, -72, rnd.nextInt(1, 6)).label(loop);
                for (int k = rnd.nextInt(1, 4); k > 0; k--) {
                    randomAlu(a, rnd, rnd.nextInt(8), rnd.nextInt(9));
                }
                a.ldx(DW, R8, R10, -72).alu64(SUB, R8, 1).stx(DW, R10, R8, -72).jmp(JNE, R8, 0, loop);
            } else if (kind < 82) {
                a.mov64r(R1, src).mov64r(R2, dst).callLocal("sub").mov64r(dst, R0);
                for (int r = 1; r <= 5; r++) {
                    if (r != dst) {
                        a.mov64(r, rnd.nextInt(-1000, 1000));
                    }
                }
            } else if (kind < 84) {
                a.atomic(rnd.nextBoolean() ? DW : W, R10, src, -8 * rnd.nextInt(1, 9),
                        new int[] {ADD, OR, AND, XOR, ADD | FETCH, XOR | FETCH, XCHG}[rnd.nextInt(7)]);
            } else if (i + 2 < n) {
                String label = "L" + labels++;
                int target = rnd.nextInt(i + 1, Math.min(n, i + 12) + 1);
                placeAt.get(target).add(label);
                int op = JMP_OPS[rnd.nextInt(JMP_OPS.length)];
                boolean jmp32 = rnd.nextInt(3) == 0;
                if (rnd.nextBoolean()) {
                    if (jmp32) {
                        a.jmp32r(op, dst, src, label);
                    } else {
                        a.jmpr(op, dst, src, label);
                    }
                } else {
                    int imm = rnd.nextInt(-50, 50);
                    if (jmp32) {
                        a.jmp32(op, dst, imm, label);
                    } else {
                        a.jmp(op, dst, imm, label);
                    }
                }
            } else {
                a.mov64r(dst, src);
            }
        }
        for (String l : placeAt.get(n)) {
            a.label(l);
        }
        // one call always, so the sub-program is reachable (the kernel refuses unreachable code)
        a.mov64r(R1, R3).mov64r(R2, R4).callLocal("sub").mov64r(R5, R0);
        for (int r = 1; r <= 4; r++) {
            a.mov64(r, rnd.nextInt(-1000, 1000));
        }
        for (int r = 1; r <= 8; r++) {
            a.alu64r(XOR, R0, r).alu64(LSH, R0, 1);
        }
        a.ldx(DW, R1, R10, -8).alu64r(ADD, R0, R1);
        a.mov64r(R1, R0).alu64(RSH, R1, 32).alu64r(XOR, R0, R1).exit();
        // the sub-program may use only its arguments r1, r2 and r0
        a.label("sub").mov64r(R0, R1);
        for (int k = rnd.nextInt(1, 6); k > 0; k--) {
            randomAlu(a, rnd, rnd.nextInt(3), rnd.nextInt(3));
        }
        a.exit();
        return a.build();
    }

    private static void randomAlu(Asm a, SplittableRandom rnd, int dst, int src) {
        int op = ALU_OPS[rnd.nextInt(ALU_OPS.length)];
        boolean is64 = rnd.nextBoolean();
        boolean x = rnd.nextBoolean();
        int imm = op == LSH || op == RSH || op == ARSH ? rnd.nextInt(is64 ? 64 : 32)
                : op == DIV || op == MOD ? rnd.nextInt(1, 50) : rnd.nextInt(-300, 300);
        a.aluOff(is64 ? ALU64 : ALU, op, x, dst, x ? src : 0, 0, x ? 0 : imm);
    }
}
