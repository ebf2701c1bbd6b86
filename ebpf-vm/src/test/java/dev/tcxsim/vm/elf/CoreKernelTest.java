package dev.tcxsim.vm.elf;

import dev.tcxsim.vm.LoadedProgram;
import dev.tcxsim.vm.RunEnv;
import dev.tcxsim.vm.RunResult;
import dev.tcxsim.vm.btf.TargetBtf;
import dev.tcxsim.vm.ctx.SkBuff;
import dev.tcxsim.vm.support.KernelBpf;
import dev.tcxsim.vm.support.Modes;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * core_skb.o, whose every context and packet access goes through CO-RE against the running
 * kernel's BTF: relocated by tcxsim's loader, then run on the simulator and loaded as is into the
 * real kernel (BPF_PROG_TEST_RUN), with the same verdict and packet afterwards. The kernel's
 * verifier accepting the program at all checks the relocated context offsets and the poisoned
 * (dead) instruction. Runs as root on Linux 6.6 or newer, with the host's vmlinux BTF.
 */
class CoreKernelTest {
    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void relocatedAgainstTheHostKernelRunsLikeTheKernel(Modes.Mode mode) throws Throwable {
        Assumptions.assumeTrue(KernelBpf.available(), () -> "kernel runs skipped: " + KernelBpf.UNAVAILABLE);
        Assumptions.assumeTrue(Files.isReadable(Path.of(TargetBtf.VMLINUX)), "no " + TargetBtf.VMLINUX);
        TargetBtf host = TargetBtf.load(Path.of(TargetBtf.VMLINUX));
        ProgramSpec p = ElfLoader.load(TestObjects.bytes("core_skb"), "core_skb", LoadOptions.DEFAULTS.withTargetBtf(host))
                .program("core_skb");
        assertEquals(1, p.poisoned().size(), "the read of iphdr's no_such_field: " + p.poisoned());
        byte[] frame = udpFrame();

        KernelBpf.Outcome k = KernelBpf.run(p.insns(), frame);

        LoadedProgram loaded = Modes.vm(mode).loadProgram(p, List.of()); // its poisoned call is dead code
        SkBuff skb = new SkBuff(frame);
        skb.setIfindex(1);
        RunResult r = loaded.run(skb, RunEnv.DEFAULT);
        assertNull(r.fault(), () -> String.valueOf(r.fault()));
        assertEquals(k.retval(), (int) r.returnValue(), "verdict");
        assertArrayEquals(k.packet(), skb.data(), "packet after the run");
        // what the program computes, from the frame: len, IP protocol, last byte of daddr; TTL decremented
        assertEquals(frame.length | 17 << 8 | 1 << 16, k.retval());
        assertEquals(63, k.packet()[22]);
    }

    /** A reachable poisoned instruction is refused by the kernel's verifier, as after libbpf's loader. */
    @org.junit.jupiter.api.Test
    void aReachablePoisonedInstructionIsRefusedByTheKernel() throws Throwable {
        Assumptions.assumeTrue(KernelBpf.available(), () -> "kernel runs skipped: " + KernelBpf.UNAVAILABLE);
        Assumptions.assumeTrue(Files.isReadable(Path.of(TargetBtf.VMLINUX)), "no " + TargetBtf.VMLINUX);
        TargetBtf host = TargetBtf.load(Path.of(TargetBtf.VMLINUX));
        ProgramSpec p = ElfLoader.load(TestObjects.bytes("core"), "core", LoadOptions.DEFAULTS.withTargetBtf(host))
                .program("core_mark");
        assertEquals(1, p.poisoned().size());
        KernelBpf.BpfError e = org.junit.jupiter.api.Assertions.assertThrows(KernelBpf.BpfError.class,
                () -> KernelBpf.run(p.insns(), udpFrame()));
        assertEquals(22, e.errno, "EINVAL");
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("invalid func unknown#195896080"),
                e.getMessage());
        // the simulator loads it (its verifier cannot tell live from dead code) and stops where it is reached
        for (Modes.Mode mode : Modes.Mode.values()) {
            RunResult r = Modes.vm(mode).loadProgram(p, List.of()).run(new SkBuff(udpFrame()), RunEnv.DEFAULT);
            org.junit.jupiter.api.Assertions.assertNotNull(r.fault(), mode + ": the poisoned call was reached");
            org.junit.jupiter.api.Assertions.assertTrue(r.fault().contains("CO-RE relocation could not be resolved")
                    && r.fault().contains(p.poisoned().getFirst().relocation()), mode + ": " + r.fault());
        }
    }

    /**
     * core_externs.o's .kconfig map, made by the loader, read by the same instructions on the
     * kernel (as a BPF_F_RDONLY_PROG array created from the map spec) and on the simulator.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"kernel_version", "hz", "flags", "nr_cpus", "hostname"})
    void kconfigValuesReadTheSameInTheKernel(String program) throws Throwable {
        Assumptions.assumeTrue(KernelBpf.available(), () -> "kernel runs skipped: " + KernelBpf.UNAVAILABLE);
        BpfObject obj = ElfLoader.load(TestObjects.bytes("core_externs"), "core_externs", LoadOptions.DEFAULTS
                .withKconfig(java.util.Map.of("CONFIG_HZ", "300", "CONFIG_BPF_JIT", "y", "CONFIG_NET_CLS_BPF", "m",
                        "CONFIG_NR_CPUS_BIG", "0x200000010", "CONFIG_PREEMPT_MODE", "y",
                        "CONFIG_DEFAULT_HOSTNAME", "\"tcxsim\"")));
        ProgramSpec p = obj.program(program);
        long[] insns = p.insns().clone();
        for (Relocation r : p.relocations()) {
            insns[r.insnIndex()] = Insn.withImm(insns[r.insnIndex()], r.mapIndex());
        }
        KernelBpf.KernelMap[] maps = obj.maps().stream()
                .map(m -> new KernelBpf.KernelMap(m.type(), m.keySize(), m.valueSize(), m.maxEntries(), m.flags(),
                        m.initialData()))
                .toArray(KernelBpf.KernelMap[]::new);
        byte[] frame = udpFrame();
        KernelBpf.Outcome k = KernelBpf.run(insns, frame, maps);
        RunResult r = Modes.vm(Modes.Mode.COMPILED).load(obj).program(program).run(new SkBuff(frame), RunEnv.DEFAULT);
        assertNull(r.fault(), () -> String.valueOf(r.fault()));
        assertEquals(k.retval(), (int) r.returnValue(), program);
    }

    /** Ethernet + IPv4 (TTL 64, UDP, 10.0.0.9 -> 10.0.0.1) + UDP with 4 bytes of payload. */
    private static byte[] udpFrame() {
        byte[] f = new byte[14 + 20 + 8 + 4];
        byte[] head = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 8, 0, 0x45, 0, 0, 32, 0x12, 0x34, 0, 0, 64, 17, 0, 0,
            10, 0, 0, 9, 10, 0, 0, 1};
        System.arraycopy(head, 0, f, 0, head.length);
        return f;
    }
}
