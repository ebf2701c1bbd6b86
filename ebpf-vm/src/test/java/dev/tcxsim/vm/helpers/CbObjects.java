package dev.tcxsim.vm.helpers;

import dev.tcxsim.vm.LoadedObject;
import dev.tcxsim.vm.RunEnv;
import dev.tcxsim.vm.RunResult;
import dev.tcxsim.vm.btf.Btf;
import dev.tcxsim.vm.btf.BtfKind;
import dev.tcxsim.vm.ctx.SkBuff;
import dev.tcxsim.vm.elf.BpfObject;
import dev.tcxsim.vm.elf.ElfLoader;
import dev.tcxsim.vm.support.KernelBpf;
import dev.tcxsim.vm.support.KernelObject;
import dev.tcxsim.vm.support.Modes;
import org.junit.jupiter.api.Assumptions;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.ToIntFunction;

import static org.junit.jupiter.api.Assertions.assertNull;

/** The cb_*.o test programs: loading them, running them in the simulator and in the kernel. */
final class CbObjects {
    private CbObjects() {
    }

    static BpfObject object(String name) throws Exception {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("testdata/progs"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("testdata/progs not found above " + Path.of("").toAbsolutePath());
        }
        return ElfLoader.load(dir.resolve("testdata/progs/" + name + ".o"));
    }

    /** A simulator run: the result, and the object so tests can read its maps. */
    record SimRun(RunResult result, LoadedObject loaded, SkBuff skb) {
        byte[] value(String map, byte[] key) {
            return loaded.map(map).lookup(key);
        }
    }

    /** Loads {@code obj} afresh in {@code mode} and runs {@code program} once on {@code packet}; fails on a fault. */
    static SimRun runSim(Modes.Mode mode, BpfObject obj, String program, byte[] packet) throws Exception {
        LoadedObject loaded = Modes.vm(mode).load(obj);
        SkBuff skb = new SkBuff(packet);
        skb.setIfindex(1);
        RunResult r = loaded.program(program).run(skb, RunEnv.DEFAULT);
        assertNull(r.fault(), r.fault());
        return new SimRun(r, loaded, skb);
    }

    /** A kernel run's r0 and packet, and the values asked for. */
    record KernelRun(KernelBpf.Outcome outcome, byte[] value) {
    }

    /** Skips the calling test unless the kernel comparisons can run. */
    static void assumeKernel() {
        Assumptions.assumeTrue(KernelBpf.available(), () -> "kernel runs skipped: " + KernelBpf.UNAVAILABLE);
    }

    /** Loads {@code obj} in the kernel, runs {@code program} once on {@code packet} and reads {@code map}'s value at key 0. */
    static KernelRun runKernel(BpfObject obj, String program, byte[] packet, String map, ToIntFunction<String> kfuncs)
            throws Throwable {
        try (KernelObject k = new KernelObject(obj)) {
            int fd = k.loadProgram(program, kfuncs);
            KernelBpf.Outcome o = k.testRun(fd, packet);
            return new KernelRun(o, map == null ? null : k.lookup(map, new byte[4]));
        }
    }

    private static Btf vmlinux;

    /** The running kernel's BTF id of kfunc {@code name} (for KernelObject), -1 when it has none. */
    static synchronized int kernelKfuncId(String name) {
        try {
            if (vmlinux == null) {
                vmlinux = Btf.parse(Files.readAllBytes(Path.of("/sys/kernel/btf/vmlinux")));
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the kernel's BTF: " + e, e);
        }
        return vmlinux.find(BtfKind.FUNC, name).orElse(-1);
    }

    static long u64(byte[] b, int index) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(8 * index);
    }

    static byte[] packet(int len) {
        return Modes.packet(len);
    }
}
