package dev.tcxsim.vm.maps;

import dev.tcxsim.vm.LoadedProgram;
import dev.tcxsim.vm.RunEnv;
import dev.tcxsim.vm.RunResult;
import dev.tcxsim.vm.VerifierException;
import dev.tcxsim.vm.ctx.SkBuff;
import dev.tcxsim.vm.elf.MapSpec;
import dev.tcxsim.vm.support.Asm;
import dev.tcxsim.vm.support.KernelBpf;
import dev.tcxsim.vm.support.Modes;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static dev.tcxsim.vm.isa.Op.JEQ;
import static dev.tcxsim.vm.isa.Op.W;
import static dev.tcxsim.vm.maps.MapKernelSupport.u32;
import static dev.tcxsim.vm.support.Asm.R0;
import static dev.tcxsim.vm.support.Asm.R1;
import static dev.tcxsim.vm.support.Asm.R2;
import static dev.tcxsim.vm.support.Asm.R3;
import static dev.tcxsim.vm.support.Asm.R10;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DEVMAP and DEVMAP_HASH: the syscall side's rules, read-only lookups from tc programs, and bpf_redirect_map. */
class DevMapTest {
    private static final int REDIRECT_MAP = 51;

    private static int errno(ThrowingRunnable r) {
        try {
            r.run();
            return 0;
        } catch (MapException e) {
            return -e.errno();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static byte[] val(int ifindex) {
        return u32(ifindex);
    }

    /** A script of syscall-side operations: [op, key, ifindex, flags] with op 0 update, 1 delete, 2 lookup. */
    private static final int[][] SCRIPT = {
        {0, 0, 1, 0}, {0, 1, 1, 0}, {2, 0, 0, 0}, {0, 1, 1, 1}, {0, 2, 1, 2}, {0, 9, 1, 0}, {0, 1, 0, 0},
        {2, 1, 0, 0}, {1, 1, 0, 0}, {1, 7, 0, 0}, {1, 9, 0, 0}, {0, 3, 1, 4}, {2, 3, 0, 0}, {2, 2, 0, 0},
    };

    private static List<String> simScript(BpfMap m) {
        List<String> out = new ArrayList<>();
        for (int[] s : SCRIPT) {
            switch (s[0]) {
                case 0 -> out.add("update " + errno(() -> m.update(u32(s[1]), val(s[2]), s[3])));
                case 1 -> out.add("delete " + errno(() -> m.delete(u32(s[1]))));
                default -> {
                    byte[] v = m.lookup(u32(s[1]));
                    out.add("lookup " + (v == null ? "none" : java.util.HexFormat.of().formatHex(v)));
                }
            }
        }
        return out;
    }

    @Test
    void arrayDevmapRules() throws Exception {
        BpfMap m = BpfMap.create(MapSpec.of("tx", BpfMap.TYPE_DEVMAP, 4, 4, 4, 0));
        assertTrue(m.programReadOnly(), "the kernel ORs BPF_F_RDONLY_PROG into a devmap's flags");
        assertEquals(List.of("update 0", "update 0", "lookup 01000000", "update -17", "update 0", "update -7",
                "update 0", "lookup none", "delete 0", "delete -22", "delete -22", "update -22", "lookup none",
                "lookup 01000000"), simScript(m));
        assertEquals(-MapException.EINVAL, errno(() -> BpfMap.create(MapSpec.of("tx", BpfMap.TYPE_DEVMAP, 4, 6, 4,
                0))), "value size 6 is neither 4 nor 8");
        assertEquals(-MapException.EINVAL, errno(() -> BpfMap.create(MapSpec.of("tx", BpfMap.TYPE_DEVMAP, 4, 8, 4, 0))
                .update(u32(0), new byte[] {1, 0, 0, 0, 5, 0, 0, 0}, 0)), "an XDP program fd in the value");
    }

    @ParameterizedTest(name = "type {0}")
    @ValueSource(ints = {BpfMap.TYPE_DEVMAP, BpfMap.TYPE_DEVMAP_HASH})
    void syscallSideSameAsTheKernel(int type) throws Throwable {
        Assumptions.assumeTrue(KernelBpf.available(), () -> "kernel runs skipped: " + KernelBpf.UNAVAILABLE);
        List<String> kernel = new ArrayList<>();
        try (KernelBpf.Session k = new KernelBpf.Session()) {
            int fd = k.createMap(type, 4, 4, 4, 0, 0, 0);
            for (int[] s : SCRIPT) {
                switch (s[0]) {
                    case 0 -> kernel.add("update " + k.update(fd, u32(s[1]), val(s[2]), s[3]));
                    case 1 -> kernel.add("delete " + k.delete(fd, u32(s[1])));
                    default -> {
                        byte[] v = k.lookup(fd, u32(s[1]), 4);
                        kernel.add("lookup " + (v == null ? "none" : java.util.HexFormat.of().formatHex(v)));
                    }
                }
            }
            assertEquals(-MapException.EINVAL, k.tryCreateMap(type, 4, 6, 4, 0, 0));
            assertEquals(-MapException.EINVAL, k.tryCreateMap(type, 4, 4, 4, BpfMap.BPF_F_NO_PREALLOC, 0));
        }
        assertEquals(kernel, simScript(BpfMap.create(MapSpec.of("tx", type, 4, 4, 4, 0))));
    }

    /** r0 = the ifindex under key 0 of map 0, or -1. */
    private static long[] lookupProgram() {
        return new Asm().st(W, R10, -4, 0).mov64r(R2, R10).alu64(dev.tcxsim.vm.isa.Op.ADD, R2, -4).ldMap(R1, 0)
                .call(1).jmp(JEQ, R0, 0, "none").ldx(W, R0, R0, 0).exit().label("none").ret(-1).build();
    }

    @Test
    void tcProgramsMayLookUpButNotStore() throws Throwable {
        BpfMap m = BpfMap.create(MapSpec.of("tx", BpfMap.TYPE_DEVMAP_HASH, 4, 4, 4, 0));
        m.update(u32(0), val(1), 0);
        LoadedProgram p = Modes.vm(Modes.Mode.COMPILED).loadRaw("lookup", List.of(m), lookupProgram());
        SkBuff skb = new SkBuff(Modes.packet(64));
        RunResult r = p.run(skb, RunEnv.DEFAULT);
        assertNull(r.fault(), r.fault());
        assertEquals(1, r.returnValue());
        long[] store = new Asm().st(W, R10, -4, 0).mov64r(R2, R10).alu64(dev.tcxsim.vm.isa.Op.ADD, R2, -4)
                .ldMap(R1, 0).call(1).jmp(JEQ, R0, 0, "none").st(W, R0, 0, 7).label("none").ret(0).build();
        RunResult w = Modes.vm(Modes.Mode.COMPILED).loadRaw("store", List.of(m), store).run(skb, RunEnv.DEFAULT);
        assertTrue(w.fault() != null && w.fault().contains("read-only"), String.valueOf(w.fault()));
        if (KernelBpf.available()) {
            try (KernelBpf.Session k = new KernelBpf.Session()) {
                int fd = k.createMap(BpfMap.TYPE_DEVMAP_HASH, 4, 4, 4, 0, 0, 0);
                assertEquals(0, k.update(fd, u32(0), val(1), 0));
                int prog = k.loadProgram(lookupProgram(), fd);
                assertEquals(1, k.testRun(prog, Modes.packet(64)).retval(), "the kernel's tc program sees ifindex 1");
                KernelBpf.BpfError refused = assertThrows(KernelBpf.BpfError.class, () -> k.loadProgram(store, fd));
                assertTrue(refused.getMessage().contains("write into map forbidden"), refused.getMessage());
            }
        }
    }

    /** bpf_redirect_map from a tc program: the kernel's verifier refuses it; so does the simulator's loader. */
    @Test
    void redirectMapIsNotForTcPrograms() throws Throwable {
        long[] insns = new Asm().ldMap(R1, 0).mov64(R2, 0).mov64(R3, 0).call(REDIRECT_MAP).exit().build();
        BpfMap m = BpfMap.create(MapSpec.of("tx", BpfMap.TYPE_DEVMAP, 4, 4, 4, 0));
        VerifierException e = assertThrows(VerifierException.class,
                () -> Modes.vm(Modes.Mode.REFERENCE).loadRaw("redirect", List.of(m), insns));
        assertTrue(e.getMessage().contains("bpf_redirect_map#51") && e.getMessage().contains("sched_cls"),
                e.getMessage());
        Assumptions.assumeTrue(KernelBpf.available(), () -> "kernel runs skipped: " + KernelBpf.UNAVAILABLE);
        try (KernelBpf.Session k = new KernelBpf.Session()) {
            int fd = k.createMap(BpfMap.TYPE_DEVMAP, 4, 4, 4, 0, 0, 0);
            KernelBpf.BpfError refused = assertThrows(KernelBpf.BpfError.class, () -> k.loadProgram(insns, fd));
            System.out.println("[devmap] the kernel on redirect_map from sched_cls: " + refused.getMessage());
            assertTrue(refused.getMessage().contains("bpf_redirect_map#51"), refused.getMessage());
        }
    }
}
