package dev.tcxsim.vm.elf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static dev.tcxsim.vm.elf.FuncInfo.Linkage.GLOBAL;
import static dev.tcxsim.vm.elf.FuncInfo.Linkage.STATIC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The committed objects of testdata/progs, loaded and checked against what llvm-objdump-19 -dr and
 * llvm-readelf-19 show for them (offsets in comments are from those listings).
 */
class ElfLoaderTest {
    private static final int SCHED_CLS = 3;
    private static final int ARRAY = 2, HASH = 1, PROG_ARRAY = 3, PERCPU_ARRAY = 6;

    @Test
    void verdictHasOneProgramTheRunsMapAndSettableGlobals() throws Exception {
        BpfObject o = TestObjects.load("verdict");
        assertEquals("verdict", o.name());
        assertEquals("GPL", o.license());
        assertEquals(List.of("runs", ".rodata", ".data"), o.maps().stream().map(MapSpec::name).toList());

        MapSpec runs = o.maps().get(0);
        assertEquals(MapSpec.Kind.BTF_DEFINED, runs.kind());
        assertEquals(List.of(ARRAY, 4, 8, 1, 0, 0), List.of(runs.type(), runs.keySize(), runs.valueSize(),
                runs.maxEntries(), runs.flags(), runs.pinning()));
        assertNull(runs.initialData());
        assertTrue(runs.btfKeyTypeId() > 0 && runs.btfValueTypeId() > 0);

        MapSpec rodata = o.maps().get(1);
        assertEquals(MapSpec.Kind.GLOBAL_DATA, rodata.kind());
        assertEquals(List.of(ARRAY, 4, 8, 1, 0x80), List.of(rodata.type(), rodata.keySize(), rodata.valueSize(),
                rodata.maxEntries(), rodata.flags()));
        // verdict_value = TC_ACT_UNSPEC (-1), tag = 1
        assertArrayEquals(new byte[] {-1, -1, -1, -1, 1, 0, 0, 0}, rodata.initialData());
        MapSpec data = o.maps().get(2);
        assertEquals(0, data.flags());
        assertArrayEquals(new byte[] {-2, -1, -1, -1}, data.initialData()); // verdict_override = -2

        ProgramSpec p = o.program("verdict");
        assertEquals("tc", p.section());
        assertEquals(SCHED_CLS, p.progType());
        assertEquals(0, p.expectedAttachType());
        assertEquals(List.of(new FuncInfo(0, "verdict", FuncInfo.Linkage.GLOBAL)), p.funcInfo());
        // runs once as a map, .rodata twice (tag at 4, verdict_value at 0), .data once
        assertEquals(List.of(1, 3), kindCounts(p));
        assertEquals(List.of(0, 1, 2, 1), p.relocations().stream().map(Relocation::mapIndex).toList());
        assertEquals(List.of(0, 4, 0, 0), p.relocations().stream().map(Relocation::offset).toList());
        assertRelocatedInstructions(p);
    }

    @Test
    void parserHasAHashMapKeyedByTheFiveTuple() throws Exception {
        BpfObject o = TestObjects.load("parser");
        MapSpec flows = o.maps().get(o.mapIndex("flows"));
        // struct flow_key is 16+16+2+2+1+1+2 = 40 bytes, struct flow_stats 16
        assertEquals(List.of(HASH, 40, 16, 1024, 1), List.of(flows.type(), flows.keySize(), flows.valueSize(),
                flows.maxEntries(), flows.flags()));
        MapSpec errors = o.maps().get(o.mapIndex("parse_errors"));
        assertEquals(List.of(ARRAY, 4, 8, 4), List.of(errors.type(), errors.keySize(), errors.valueSize(),
                errors.maxEntries()));
        assertEquals(0, errors.btfKeyTypeId(), "key_size gives no BTF type");
        ProgramSpec p = o.program("parse_flow");
        assertEquals(List.of(7, 0), kindCounts(p));
        assertEquals(2, p.relocations().stream().filter(r -> r.mapIndex() == o.mapIndex("flows")).count());
        assertRelocatedInstructions(p);
        assertEquals(List.of(1, 2), helperCallsOf(p).stream().distinct().sorted().toList()); // lookup, update
    }

    @Test
    void natCallsTheChecksumHelpersAndReadsItsConfigurationFromRodata() throws Exception {
        BpfObject o = TestObjects.load("nat");
        MapSpec rodata = o.maps().getFirst();
        assertEquals(".rodata", rodata.name());
        // nat_from 10.0.0.1, nat_to 10.0.0.2, port_to 0 (network byte order)
        assertArrayEquals(new byte[] {10, 0, 0, 1, 10, 0, 0, 2, 0, 0}, rodata.initialData());
        ProgramSpec p = o.program("dnat");
        // skb_store_bytes 9, l3_csum_replace 10, l4_csum_replace 11, skb_load_bytes 26
        assertEquals(List.of(9, 10, 11, 26), helperCallsOf(p).stream().distinct().sorted().toList());
        assertEquals(List.of(0, 4, 8), p.relocations().stream().map(Relocation::offset).sorted().toList());
        assertRelocatedInstructions(p);
    }

    @Test
    void callsAppendsEachReachableSubprogramOnceDepthFirst() throws Exception {
        BpfObject o = TestObjects.load("calls");
        assertEquals(List.of("sum_calls", "mark_calls"), o.programs().stream().map(ProgramSpec::name).toList());

        // .text (llvm-objdump): global_add@0 (3 insns), nest@3 (7), times_two_plus@10 (12), scale@22 (10),
        // mix3@32 (6). sum_calls (10 insns) calls nest at 3 and global_add at 7; nest calls scale, then
        // times_two_plus. libbpf appends in order of first use, depth first.
        ProgramSpec sum = o.program("sum_calls");
        assertEquals(List.of(new FuncInfo(0, "sum_calls", GLOBAL), new FuncInfo(10, "nest", STATIC),
                new FuncInfo(17, "scale", STATIC), new FuncInfo(27, "times_two_plus", STATIC),
                new FuncInfo(39, "global_add", GLOBAL)), sum.funcInfo());
        assertEquals(42, sum.insns().length);
        assertEquals(Map.of(3, 6, 7, 31, 11, 5, 14, 12), pseudoCalls(sum));
        assertCallsLandOnFunctions(sum);

        // mark_calls has its own copies: mix3 then times_two_plus
        ProgramSpec mark = o.program("mark_calls");
        assertEquals(List.of("mark_calls", "mix3", "times_two_plus"),
                mark.funcInfo().stream().map(FuncInfo::name).toList());
        assertEquals(Map.of(5, 8, 9, 10), pseudoCalls(mark));
        assertCallsLandOnFunctions(mark);
        assertTrue(o.maps().isEmpty());
    }

    @Test
    void tailcallFillsTheProgArraySlotsFromTheValuesInitializer() throws Exception {
        BpfObject o = TestObjects.load("tailcall");
        MapSpec table = o.maps().getFirst();
        assertEquals("jump_table", table.name());
        assertEquals(List.of(PROG_ARRAY, 4, 4, 4), List.of(table.type(), table.keySize(), table.valueSize(),
                table.maxEntries()));
        assertEquals(Map.of(0, "stage_one", 2, "stage_two"), table.initialProgSlots());
        assertEquals(-1, table.innerMapIndex());
        // three programs in one section, in offset order (llvm-readelf: stage_one@0, stage_two@0x48, entry@0x70)
        assertEquals(List.of("stage_one", "stage_two", "entry"),
                o.programsInSection("tc").stream().map(ProgramSpec::name).toList());
        for (ProgramSpec p : List.of(o.program("entry"), o.program("stage_one"))) {
            assertEquals(List.of(1, 0), kindCounts(p));
            assertEquals(List.of(12), helperCallsOf(p)); // bpf_tail_call
            assertRelocatedInstructions(p);
        }
    }

    @Test
    void globalsTurnsEveryDataSectionIntoAMap() throws Exception {
        BpfObject o = TestObjects.load("globals");
        assertEquals("Dual BSD/GPL", o.license());
        assertEquals(List.of(".rodata", ".data", ".data.custom", ".bss", ".rodata.str1.1"),
                o.maps().stream().map(MapSpec::name).toList());
        for (MapSpec m : o.maps()) {
            assertEquals(MapSpec.Kind.GLOBAL_DATA, m.kind());
            assertEquals(List.of(ARRAY, 4, 1), List.of(m.type(), m.keySize(), m.maxEntries()));
            assertEquals(m.name().startsWith(".rodata") ? 0x80 : 0, m.flags(), m.name());
            assertEquals(m.valueSize(), m.initialData().length);
        }
        assertArrayEquals(new byte[] {7, 0, 0, 0, 0, 0, 0, 0}, o.maps().get(1).initialData()); // counter = 7
        assertArrayEquals(new byte[] {(byte) 0xee, (byte) 0xff, (byte) 0xc0, 0}, o.maps().get(2).initialData());
        assertArrayEquals(new byte[8], o.maps().get(3).initialData()); // .bss
        assertEquals("tcxsim\0globals-test\0", new String(o.maps().get(4).initialData(), StandardCharsets.UTF_8));
        byte[] rodata = o.maps().getFirst().initialData();
        assertEquals(42, rodata[0]); // limit
        assertEquals("hello", new String(rodata, 4, 5, StandardCharsets.UTF_8));

        ProgramSpec p = o.program("use_globals");
        assertEquals(List.of(0, 8), kindCounts(p));
        // the two string literals: section symbol .rodata.str1.1 with the offset in the imm (0 and 7)
        assertEquals(List.of(0, 7), p.relocations().stream().filter(r -> r.mapIndex() == 4)
                .map(Relocation::offset).sorted().toList());
        // greeting[1] is read through the symbol greeting (value 4) + 1, after clang folds it
        assertTrue(p.relocations().stream().anyMatch(r -> r.mapIndex() == 0 && r.offset() == 4));
        assertEquals(List.of("use_globals", "name_len"), p.funcInfo().stream().map(FuncInfo::name).toList());
        assertCallsLandOnFunctions(p);
        assertTrue(helperCallsOf(p).contains(6), "bpf_printk calls trace_printk (6)");
        assertRelocatedInstructions(p);
    }

    @Test
    void legacyMapsSectionHoldsStructBpfMapDefs() throws Exception {
        BpfObject o = TestObjects.load("legacy_maps");
        assertEquals(0x060600, o.kernelVersion());
        assertEquals(List.of("legacy_counts", "legacy_protos"), o.maps().stream().map(MapSpec::name).toList());
        MapSpec counts = o.maps().get(0);
        MapSpec protos = o.maps().get(1);
        assertEquals(MapSpec.Kind.LEGACY, counts.kind());
        assertEquals(List.of(ARRAY, 4, 8, 2, 0), List.of(counts.type(), counts.keySize(), counts.valueSize(),
                counts.maxEntries(), counts.flags()));
        assertEquals(List.of(HASH, 4, 8, 64, 1), List.of(protos.type(), protos.keySize(), protos.valueSize(),
                protos.maxEntries(), protos.flags()));
        ProgramSpec p = o.program("legacy");
        assertEquals("classifier", p.section());
        assertEquals(SCHED_CLS, p.progType());
        assertEquals(List.of(0, 1, 1), p.relocations().stream().map(Relocation::mapIndex).toList());
        assertRelocatedInstructions(p);
    }

    @Test
    void tcxSectionsCarryTheirExpectedAttachTypes() throws Exception {
        BpfObject o = TestObjects.load("tcx");
        ProgramSpec in = o.program("tcx_in");
        ProgramSpec out = o.program("tcx_out");
        assertEquals(List.of("tcx/ingress", SCHED_CLS, 46), List.of(in.section(), in.progType(),
                in.expectedAttachType()));
        assertEquals(List.of("tcx/egress", SCHED_CLS, 47), List.of(out.section(), out.progType(),
                out.expectedAttachType()));
        assertEquals(List.of(in), o.programsInSection("tcx/ingress"));
        assertEquals(List.of(in, out), o.programsInSection("tcx"));
        assertEquals(PERCPU_ARRAY, o.maps().getFirst().type());
        assertThrows(IllegalArgumentException.class, () -> o.program("nope"));
    }

    @Test
    void mapInMapDefinitionsGetInnerTemplatesAndInitialSlots() throws Exception {
        BpfObject o = TestObjects.load("map_in_map");
        assertEquals(List.of("inner_a", "inner_b", "outer", "by_id", "outer.inner", "by_id.inner"),
                o.maps().stream().map(MapSpec::name).toList());
        MapSpec outer = o.maps().get(o.mapIndex("outer"));
        assertEquals(List.of(12, 4, 4, 2, 1), List.of(outer.type(), outer.keySize(), outer.valueSize(),
                outer.maxEntries(), outer.pinning()));
        assertEquals(o.mapIndex("outer.inner"), outer.innerMapIndex());
        assertTrue(outer.initialProgSlots().isEmpty(), "map-in-map slots are not program slots");
        MapSpec byId = o.maps().get(o.mapIndex("by_id"));
        assertEquals(List.of(13, 8, 0), List.of(byId.type(), byId.maxEntries(), byId.pinning()));
        assertEquals(o.mapIndex("by_id.inner"), byId.innerMapIndex());
        assertTrue(byId.initialProgSlots().isEmpty());
        for (String name : List.of("inner_a", "outer.inner", "by_id.inner")) {
            MapSpec inner = o.maps().get(o.mapIndex(name));
            assertEquals(List.of(ARRAY, 4, 8, 4, -1), List.of(inner.type(), inner.keySize(), inner.valueSize(),
                    inner.maxEntries(), inner.innerMapIndex()), name);
        }
        ProgramSpec p = o.program("count_inner");
        assertEquals(List.of(o.mapIndex("outer")), p.relocations().stream().map(Relocation::mapIndex).toList());
    }

    @Test
    void callbackPointersBecomePseudoFuncLoadsOfAppendedSubprograms() throws Exception {
        // llvm-objdump: insn 7 "r2 = 0x0 ll" with R_BPF_64_64 against .text (add_index at .text 0)
        ProgramSpec p = TestObjects.load("callbacks").program("sum_to");
        assertEquals(List.of("sum_to", "add_index"), p.funcInfo().stream().map(FuncInfo::name).toList());
        long ld = p.insns()[7];
        assertEquals(Insn.LD_IMM64, Insn.opcode(ld));
        assertEquals(Insn.PSEUDO_FUNC, Insn.src(ld));
        assertEquals(p.funcInfo().get(1).insnOffset(), 7 + 1 + Insn.imm(ld));
        assertTrue(p.relocations().isEmpty());
        assertEquals(List.of(181), helperCallsOf(p)); // bpf_loop
    }

    static List<String> objects() {
        return TestObjects.ALL;
    }

    /** Every line_info names the C file of its object, and its text is that file's line. */
    @ParameterizedTest
    @MethodSource("objects")
    void lineInfoQuotesTheSourceLines(String name) throws Exception {
        BpfObject o = TestObjects.load(name);
        List<String> source = Files.readAllLines(TestObjects.dir().resolve(name + ".c"));
        assertFalse(o.programs().isEmpty());
        for (ProgramSpec p : o.programs()) {
            assertFalse(p.lineInfo().isEmpty(), p.name());
            int previousOffset = -1;
            for (LineInfo li : p.lineInfo()) {
                assertEquals("./testdata/progs/" + name + ".c", li.file());
                assertEquals(source.get(li.lineNumber() - 1), li.line(), p.name() + " line " + li.lineNumber());
                assertTrue(li.insnOffset() >= previousOffset && li.insnOffset() < p.insns().length);
                previousOffset = li.insnOffset();
            }
            assertEquals(0, p.funcInfo().getFirst().insnOffset());
            assertEquals(p.name(), p.funcInfo().getFirst().name());
        }
    }

    @ParameterizedTest
    @MethodSource("objects")
    void loadsFromAPathUnderItsFileName(String name) throws Exception {
        Path file = TestObjects.dir().resolve(name + ".o");
        BpfObject o = ElfLoader.load(file);
        assertEquals(name, o.name());
        assertNotNull(o.btf());
        assertEquals(0xeB9F, (o.btf()[0] & 0xff) | (o.btf()[1] & 0xff) << 8, "the raw .BTF section");
        assertArrayEquals(TestObjects.load(name).program(o.programs().getFirst().name()).insns(),
                o.programs().getFirst().insns());
    }

    /** [MAP_FD count, MAP_VALUE count]. */
    private static List<Integer> kindCounts(ProgramSpec p) {
        int fd = 0, value = 0;
        for (Relocation r : p.relocations()) {
            if (r.kind() == Relocation.Kind.MAP_FD) {
                fd++;
            } else {
                value++;
            }
        }
        return List.of(fd, value);
    }

    /** Each relocation sits on an LD_IMM64 with the right pseudo src_reg, imm 0 and the offset in the second imm. */
    private static void assertRelocatedInstructions(ProgramSpec p) {
        long[] insns = p.insns();
        for (Relocation r : p.relocations()) {
            long first = insns[r.insnIndex()];
            long second = insns[r.insnIndex() + 1];
            assertEquals(Insn.LD_IMM64, Insn.opcode(first));
            assertEquals(r.kind() == Relocation.Kind.MAP_FD ? 1 : 2, Insn.src(first));
            assertEquals(0, Insn.imm(first));
            assertEquals(r.kind() == Relocation.Kind.MAP_FD ? 0 : r.offset(), Insn.imm(second));
        }
        // and no LD_IMM64 is left with a plain zero constant where a relocation was expected
        for (int i = 0; i < insns.length; i++) {
            if (Insn.opcode(insns[i]) == Insn.LD_IMM64) {
                int at = i;
                boolean relocated = p.relocations().stream().anyMatch(r -> r.insnIndex() == at);
                assertEquals(relocated, Insn.src(insns[i]) == 1 || Insn.src(insns[i]) == 2, "LD_IMM64 at " + i);
                i++;
            }
        }
    }

    private static List<Integer> helperCallsOf(ProgramSpec p) {
        List<Integer> out = new ArrayList<>();
        for (long insn : p.insns()) {
            if (Insn.opcode(insn) == Insn.CALL && Insn.src(insn) == 0) {
                out.add(Insn.imm(insn));
            }
        }
        return out;
    }

    /** insn index -> imm of every bpf-to-bpf call. */
    private static Map<Integer, Integer> pseudoCalls(ProgramSpec p) {
        Map<Integer, Integer> out = new java.util.TreeMap<>();
        long[] insns = p.insns();
        for (int i = 0; i < insns.length; i++) {
            if (Insn.opcode(insns[i]) == Insn.CALL && Insn.src(insns[i]) == Insn.PSEUDO_CALL) {
                out.put(i, Insn.imm(insns[i]));
            }
        }
        return out;
    }

    private static void assertCallsLandOnFunctions(ProgramSpec p) {
        List<Integer> starts = p.funcInfo().stream().map(FuncInfo::insnOffset).toList();
        pseudoCalls(p).forEach((at, imm) -> assertTrue(starts.contains(at + 1 + imm),
                "call at " + at + " lands on " + (at + 1 + imm) + ", not a function start " + starts));
    }
}
