package dev.tcxsim.vm.golden;

import dev.tcxsim.vm.elf.MapSpec;
import dev.tcxsim.vm.support.Asm;

/**
 * One hand-assembled program and the r0 it must return. {@code kernel} says whether the kernel's
 * verifier accepts it (then BPF_PROG_TEST_RUN must return the low 32 bits of {@code r0}).
 */
record GoldenCase(String name, long[] insns, long r0, byte[] packet, boolean kernel, MapSpec[] maps) {
    static GoldenCase of(String name, Asm asm, long r0) {
        return new GoldenCase(name, asm.build(), r0, dev.tcxsim.vm.support.Modes.packet(64), true, new MapSpec[0]);
    }

    /**
     * {@code asm} leaves a 64-bit result in r0 (and does not exit); the case appends
     * {@code r0 ^= r0 >> 32} so that the kernel's 32-bit retval also checks the upper half.
     */
    static GoldenCase folded(String name, Asm asm, long result) {
        asm.mov64r(Asm.R1, Asm.R0).alu64(dev.tcxsim.vm.isa.Op.RSH, Asm.R1, 32).alu64r(dev.tcxsim.vm.isa.Op.XOR, Asm.R0, Asm.R1)
                .exit();
        return of(name, asm, result ^ (result >>> 32));
    }

    GoldenCase noKernel() {
        return new GoldenCase(name, insns, r0, packet, false, maps);
    }

    GoldenCase withPacket(byte[] p) {
        return new GoldenCase(name, insns, r0, p, kernel, maps);
    }

    GoldenCase withMaps(MapSpec... m) {
        return new GoldenCase(name, insns, r0, packet, kernel, m);
    }

    @Override
    public String toString() {
        return name;
    }
}
