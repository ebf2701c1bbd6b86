package dev.tcxsim.vm.elf;

import dev.tcxsim.vm.LoadedObject;
import dev.tcxsim.vm.RunEnv;
import dev.tcxsim.vm.RunResult;
import dev.tcxsim.vm.btf.Btf;
import dev.tcxsim.vm.btf.BtfKind;
import dev.tcxsim.vm.btf.TargetBtf;
import dev.tcxsim.vm.ctx.SkBuff;
import dev.tcxsim.vm.support.Modes;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** __kconfig and __ksym externs (core_externs.o), ignored sections, kfuncs and linkage (core_sections.o), open options. */
class ExternsTest {
    private static final Map<String, String> KCONFIG = Map.of("CONFIG_HZ", "250", "CONFIG_BPF_JIT", "y",
            "CONFIG_NET_CLS_BPF", "m", "CONFIG_NR_CPUS_BIG", "0x300000040", "CONFIG_PREEMPT_MODE", "n",
            "CONFIG_DEFAULT_HOSTNAME", "\"(none)\"");

    private static BpfObject externs(Map<String, String> kconfig) throws ElfFormatException {
        return ElfLoader.load(TestObjects.bytes("core_externs"), "core_externs", LoadOptions.DEFAULTS.withKconfig(kconfig));
    }

    private static long run(LoadedObject o, String program) {
        RunResult r = o.program(program).run(new SkBuff(new byte[64]), RunEnv.DEFAULT);
        assertNull(r.fault(), () -> String.valueOf(r.fault()));
        return r.returnValue();
    }

    @Test
    void kconfigValuesReachTheProgram() throws Exception {
        BpfObject obj = externs(KCONFIG);
        LoadedObject o = Modes.vm(Modes.Mode.COMPILED).load(obj);
        assertEquals(1, run(o, "kernel_version"), "LINUX_KERNEL_VERSION == KERNEL_VERSION(6, 18, 0)");
        assertEquals(250, run(o, "hz"));
        // bool y, tristate m (2), unset weak CONFIG_ reads 0, weak ksym is NULL, char 'n'
        assertEquals(1 | 2 << 1 | 1 << 4 | 1 << 5 | 'n' << 8, run(o, "flags"));
        assertEquals(3 * 1000 + 0x40, run(o, "nr_cpus"));
        assertEquals('(' | 'n' << 8, run(o, "hostname"), "a NUL at [6] and [7]");
    }

    @Test
    void theKconfigMapIsLaidOutLikeLibbpfs() throws Exception {
        BpfObject obj = externs(KCONFIG);
        MapSpec kconfig = obj.maps().get(obj.mapIndex(".kconfig"));
        assertEquals(MapSpec.Kind.GLOBAL_DATA, kconfig.kind());
        assertEquals(1 << 7, kconfig.flags(), "BPF_F_RDONLY_PROG");
        // alignment 8 first (NR_CPUS_BIG), then 4 by size and name (CONFIG_HZ, CONFIG_NET_CLS_BPF,
        // LINUX_KERNEL_VERSION), then 1: CONFIG_BPF_JIT, CONFIG_PREEMPT_MODE (size 1) before the 8-byte array
        byte[] expected = new byte[8 + 12 + 1 + 1 + 8];
        long cpus = 0x300000040L;
        for (int i = 0; i < 8; i++) {
            expected[i] = (byte) (cpus >>> (8 * i));
        }
        expected[8] = (byte) 250;
        expected[12] = 2;
        int version = 6 << 16 | 18 << 8;
        for (int i = 0; i < 4; i++) {
            expected[16 + i] = (byte) (version >>> (8 * i));
        }
        expected[20] = 1;
        expected[21] = 'n';
        System.arraycopy("(none)".getBytes(), 0, expected, 22, 6);
        // CONFIG_TCXSIM_NOT_SET (weak, int) sits among the 4-byte ones: account for it
        assertEquals(expected.length + 4, kconfig.valueSize());
        List<String> names = obj.externs().stream().map(Extern::name).toList();
        assertTrue(names.containsAll(List.of("CONFIG_HZ", "LINUX_KERNEL_VERSION", "bpf_prog_active")), names.toString());
        Extern notSet = obj.externs().stream().filter(e -> e.name().equals("CONFIG_TCXSIM_NOT_SET")).findFirst().orElseThrow();
        assertTrue(notSet.weak() && notSet.resolution().startsWith("weak, not set"), notSet.toString());
        byte[] data = kconfig.initialData();
        // CONFIG_HZ(8) CONFIG_NET_CLS_BPF(12) CONFIG_TCXSIM_NOT_SET(16) LINUX_KERNEL_VERSION(20)
        byte[] withWeak = new byte[expected.length + 4];
        System.arraycopy(expected, 0, withWeak, 0, 16);
        System.arraycopy(expected, 16, withWeak, 20, expected.length - 16);
        assertArrayEquals(withWeak, java.util.Arrays.copyOf(data, withWeak.length));
    }

    private static String refuse(Map<String, String> kconfig, String... fragments) {
        return refuse(TestObjects.bytes("core_externs"), kconfig, fragments);
    }

    private static String refuse(byte[] object, Map<String, String> kconfig, String... fragments) {
        ElfFormatException e = assertThrows(ElfFormatException.class, () -> ElfLoader.load(object, "core_externs",
                LoadOptions.DEFAULTS.withKconfig(kconfig)));
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), () -> "lacks '" + f + "': " + e.getMessage());
        }
        return e.getMessage();
    }

    @Test
    void missingAndIllTypedKconfigValuesAreErrors() {
        Map<String, String> m = new HashMap<>(KCONFIG);
        m.remove("CONFIG_HZ");
        ElfPatch strong = new ElfPatch(TestObjects.bytes("core_externs"));
        int sym = strong.symbol("CONFIG_HZ");
        strong.put8(sym + 4, 0x10); // st_info: STB_GLOBAL instead of STB_WEAK
        refuse(strong.bytes, m, "section '.symtab' at offset 0x" + Integer.toHexString(sym),
                "extern (kconfig) 'CONFIG_HZ' is not set", "not __weak");
        m = new HashMap<>(KCONFIG);
        m.put("CONFIG_BPF_JIT", "m");
        refuse(m, "'CONFIG_BPF_JIT' = m", "a bool cannot be 'm'");
        m.put("CONFIG_BPF_JIT", "y");
        m.put("CONFIG_HZ", "\"fast\"");
        refuse(m, "'CONFIG_HZ'", "a quoted string needs a char array");
        m.put("CONFIG_HZ", "0x1_0000");
        refuse(m, "not y/m/n, a quoted string or a number");
        m.put("CONFIG_HZ", "4294967296");
        refuse(m, "does not fit a signed 4-byte extern");
        m.put("CONFIG_HZ", "y");
        refuse(m, "y/m/n for a int extern");
    }

    @Test
    void withoutAKconfigWeakValuesAreZeroAndTheKernelVersionIsSet() throws Exception {
        LoadedObject o = Modes.vm(Modes.Mode.INTERPRETED).load(externs(Map.of()));
        assertEquals(1, run(o, "kernel_version"));
        assertEquals(0, run(o, "hz"));
        assertEquals(1 << 4 | 1 << 5, run(o, "flags"));
        assertEquals(0, run(o, "hostname"));
    }

    @Test
    void aLongStringIsTruncatedWithItsNul() throws Exception {
        Map<String, String> m = new HashMap<>(KCONFIG);
        m.put("CONFIG_DEFAULT_HOSTNAME", "\"abcdefghij\"");
        LoadedObject o = Modes.vm(Modes.Mode.INTERPRETED).load(externs(m));
        assertEquals('a' | 'b' << 8 | 'g' << 16, run(o, "hostname"), "7 characters and the NUL in char[8]");
    }

    @Test
    void aKernelConfigFileFeedsTheExterns() throws Exception {
        java.nio.file.Path config = java.nio.file.Files.createTempFile("config", ".gz");
        try {
            String text = "#\n# Automatically generated file\nCONFIG_HZ=1000\nCONFIG_BPF_JIT=y\n"
                    + "# CONFIG_NET_CLS_BPF is not set\nCONFIG_DEFAULT_HOSTNAME=\"box\"\nnot a config line\n";
            try (var out = new java.util.zip.GZIPOutputStream(java.nio.file.Files.newOutputStream(config))) {
                out.write(text.getBytes());
            }
            Map<String, String> kconfig = Kconfig.read(config);
            assertEquals(Map.of("CONFIG_HZ", "1000", "CONFIG_BPF_JIT", "y", "CONFIG_NET_CLS_BPF", "n",
                    "CONFIG_DEFAULT_HOSTNAME", "\"box\""), kconfig);
            LoadedObject o = Modes.vm(Modes.Mode.INTERPRETED).load(externs(kconfig));
            assertEquals(1000, run(o, "hz"));
            assertEquals(1 | 1 << 4 | 1 << 5, run(o, "flags"), "NET_CLS_BPF n is TRI_NO");
        } finally {
            java.nio.file.Files.deleteIfExists(config);
        }
    }

    // ---- core_sections.o ----

    private static BpfObject sections(LoadOptions options) throws ElfFormatException {
        return ElfLoader.load(TestObjects.bytes("core_sections"), "core_sections", options.withTargetBtf(TargetBtf.shipped()));
    }

    @Test
    void programsOfOtherTypesAreListedAsIgnored() throws Exception {
        BpfObject o = sections(LoadOptions.DEFAULTS);
        assertEquals(List.of("uses_kfunc"), o.programs().stream().map(ProgramSpec::name).toList());
        Map<String, String> ignored = new HashMap<>();
        o.ignoredSections().forEach(i -> ignored.put(i.section(), i.reason()));
        assertEquals(6, ignored.size(), ignored.toString());
        assertTrue(ignored.get("kprobe/do_nanosleep").startsWith("BPF_PROG_TYPE_KPROBE program"));
        assertTrue(ignored.get("tracepoint/syscalls/sys_enter_openat").startsWith("BPF_PROG_TYPE_TRACEPOINT"));
        assertTrue(ignored.get("xdp").startsWith("BPF_PROG_TYPE_XDP"));
        assertTrue(ignored.get("fentry/do_nanosleep").startsWith("BPF_PROG_TYPE_TRACING"));
        assertTrue(ignored.get("struct_ops/an_op").startsWith("BPF_PROG_TYPE_STRUCT_OPS"));
        assertTrue(ignored.get("cls_custom").contains("unknown program section name"));
        BpfObject iproute2 = sections(LoadOptions.DEFAULTS.withUnknownSectionsAsTc(true));
        assertEquals(3, iproute2.program("custom_section").progType());
    }

    @Test
    void kfuncCallsCarryTheirIdsAndAWeakMissingOneIsPoisoned() throws Exception {
        BpfObject o = sections(LoadOptions.DEFAULTS);
        ProgramSpec p = o.program("uses_kfunc");
        Btf local = Btf.parse(o.btf());
        Btf target = TargetBtf.shipped().btf();
        assertEquals(1, p.kfuncCalls().size(), p.kfuncCalls().toString());
        KfuncCall call = p.kfuncCalls().getFirst();
        assertEquals("bpf_cast_to_kern_ctx", call.name());
        assertEquals((int) local.find(BtfKind.FUNC, "bpf_cast_to_kern_ctx").orElseThrow(), call.localBtfId());
        assertEquals((int) target.find(BtfKind.FUNC, "bpf_cast_to_kern_ctx").orElseThrow(), call.targetBtfId());
        long insn = p.insns()[call.insnIndex()];
        assertEquals(Insn.CALL, Insn.opcode(insn));
        assertEquals(Insn.PSEUDO_KFUNC_CALL, Insn.src(insn));
        assertEquals(call.localBtfId(), Insn.imm(insn));

        assertEquals(1, p.poisoned().size(), p.poisoned().toString());
        PoisonedInsn poisoned = p.poisoned().getFirst();
        assertEquals(PoisonedInsn.HELPER_ID, Insn.imm(p.insns()[poisoned.insnIndex()]));
        assertTrue(poisoned.relocation().contains("bpf_tcxsim_no_such_kfunc"), poisoned.relocation());
        // its address, taken by the existence check, is the constant 0
        boolean zeroLoad = false;
        for (int i = 0; i + 1 < p.insns().length; i++) {
            long a = p.insns()[i];
            if (Insn.opcode(a) == Insn.LD_IMM64) {
                zeroLoad |= Insn.src(a) == 0 && Insn.imm64(a, p.insns()[i + 1]) == 0;
                i++;
            }
        }
        assertTrue(zeroLoad, "LD_IMM64 0 for &bpf_tcxsim_no_such_kfunc");
        List<String> kinds = o.externs().stream().map(e -> e.name() + ":" + e.kind() + ":" + e.weak()).toList();
        assertTrue(kinds.containsAll(List.of("bpf_cast_to_kern_ctx:KFUNC:false", "bpf_tcxsim_no_such_kfunc:KFUNC:true")),
                kinds.toString());
    }

    @Test
    void aStrongKfuncTheTargetLacksIsAnError() throws Exception {
        TargetBtf noKfuncs = TargetBtf.of(Btf.parse(TestObjects.load("core_externs").btf()), "core_externs.o");
        ElfFormatException e = assertThrows(ElfFormatException.class, () -> ElfLoader.load(
                TestObjects.bytes("core_sections"), "s", LoadOptions.DEFAULTS.withTargetBtf(noKfuncs)));
        assertTrue(e.getMessage().contains("extern (kfunc) 'bpf_cast_to_kern_ctx' is not a function of the target BTF "
                + "(core_externs.o)"), e.getMessage());
    }

    @Test
    void aKfuncWhosePrototypeDiffersFromTheTargetsIsAnError() throws Exception {
        // core_target.c has an int bpf_cast_to_kern_ctx(int, int); the extern takes one pointer
        TargetBtf other = TargetBtf.of(Btf.parse(TestObjects.load("core_target").btf()), "core_target.o");
        ElfFormatException e = assertThrows(ElfFormatException.class, () -> ElfLoader.load(
                TestObjects.bytes("core_sections"), "s", LoadOptions.DEFAULTS.withTargetBtf(other)));
        assertTrue(e.getMessage().contains("extern (kfunc) 'bpf_cast_to_kern_ctx': its prototype in the object does "
                + "not match the target's (core_target.o"), e.getMessage());
    }

    @Test
    void globalAndStaticSubProgramsKeepTheirLinkage() throws Exception {
        ProgramSpec p = sections(LoadOptions.DEFAULTS).program("uses_kfunc");
        Map<String, FuncInfo.Linkage> linkage = new HashMap<>();
        p.funcInfo().forEach(f -> linkage.put(f.name(), f.linkage()));
        assertEquals(Map.of("uses_kfunc", FuncInfo.Linkage.GLOBAL, "global_helper", FuncInfo.Linkage.GLOBAL,
                "static_helper", FuncInfo.Linkage.STATIC), linkage);
    }

    @Test
    void openOptionsNameThePinRootAndTheObject() throws Exception {
        BpfObject plain = TestObjects.load("map_in_map");
        assertEquals(LoadOptions.DEFAULT_PIN_ROOT, plain.pinRootPath());
        BpfObject o = ElfLoader.load(TestObjects.dir().resolve("map_in_map.o"),
                LoadOptions.DEFAULTS.withObjectName("renamed").withPinRootPath("/tmp/tcxsim-pins"));
        assertEquals("renamed", o.name());
        assertEquals("/tmp/tcxsim-pins", o.pinRootPath());
        assertEquals(plain.maps().size(), o.maps().size());
    }
}
