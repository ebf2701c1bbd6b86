package dev.tcxsim.vm.elf;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One test per kind of damage: each corrupts a committed object at a known place and checks that
 * the loader throws ElfFormatException whose message names the section and the byte offset.
 */
class MalformedElfTest {
    private static ElfFormatException refuse(byte[] bytes, String... fragments) {
        ElfFormatException e = assertThrows(ElfFormatException.class, () -> ElfLoader.load(bytes, "damaged"));
        assertNull(e.getCause(), () -> "not caught by an explicit check: " + e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), () -> "message lacks '" + f + "': " + e.getMessage());
        }
        return e;
    }

    private static ElfPatch verdict() {
        return new ElfPatch(TestObjects.bytes("verdict"));
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    @Test
    void truncatedHeader() {
        refuse(Arrays.copyOf(TestObjects.bytes("verdict"), 40), "section 'ELF header' at offset 0x0",
                "truncated: 40 bytes");
        refuse(new byte[0], "ELF header", "truncated: 0 bytes");
    }

    @Test
    void notAnElfFile() {
        refuse(verdict().put8(1, 'X').bytes, "ELF header", "bad magic");
    }

    @Test
    void wrongClassEndiannessTypeOrMachine() {
        refuse(verdict().put8(4, 1).bytes, "'ELF header' at offset 0x4", "ELFCLASS64");
        refuse(verdict().put8(5, 2).bytes, "'ELF header' at offset 0x5", "little-endian");
        refuse(verdict().put16(16, 2).bytes, "'ELF header' at offset 0x10", "ET_REL");
        refuse(verdict().put16(18, 62).bytes, "'ELF header' at offset 0x12", "e_machine 62", "EM_BPF");
    }

    @Test
    void truncatedSectionTable() {
        ElfPatch p = verdict();
        byte[] cut = Arrays.copyOf(p.bytes, p.shoff() + 100);
        refuse(cut, "section header table", hex(p.shoff()), "does not fit in the file");
        refuse(verdict().put16(60, 0xffff).bytes, "section header table", "65535 headers");
        refuse(verdict().put16(62, 500).bytes, "'ELF header' at offset 0x3e", "e_shstrndx 500 out of range");
    }

    @Test
    void sectionDataOutsideTheFile() {
        ElfPatch p = verdict();
        int header = p.header("tc");
        refuse(p.put64(header + 32, 1L << 40).bytes, "section 'tc' at offset " + hex(header + 24),
                "lies outside the file");
        ElfPatch q = verdict();
        refuse(q.put64(q.header(".BTF") + 24, -8).bytes, "section '.BTF'", "lies outside the file");
    }

    @Test
    void symbolInANonexistentSection() {
        ElfPatch p = verdict();
        int sym = p.symbol("verdict");
        refuse(p.put16(sym + 6, 500).bytes, "section '.symtab' at offset " + hex(sym + 6),
                "'verdict' is in section 500, out of range");
    }

    @Test
    void relocationNamesASymbolOutOfRange() {
        ElfPatch p = verdict();
        int rel = p.offset(".reltc");
        refuse(p.put32(rel + 12, 9999).bytes, "section '.reltc' at offset " + hex(rel + 12),
                "names symbol 9999, out of range");
    }

    @Test
    void relocationOutsideItsSection() {
        ElfPatch p = verdict();
        int rel = p.offset(".reltc");
        refuse(p.put64(rel, 0x100000).bytes, "section '.reltc' at offset " + hex(rel),
                "offset 0x100000 is outside its section 'tc'");
        ElfPatch q = verdict();
        refuse(q.put64(q.offset(".reltc"), 4).bytes, "section '.reltc'", "not on an instruction boundary");
    }

    @Test
    void mapRelocationNotOnAnLdImm64() {
        // the first relocation of verdict's tc section is the LD_IMM64 of &runs at instruction 5;
        // instruction 0 is "r6 = r1" (llvm-objdump)
        ElfPatch p = verdict();
        int rel = p.offset(".reltc");
        assertEquals(5 * 8, p.u64(rel));
        refuse(p.put64(rel, 0).bytes, "section '.reltc' at offset " + hex(rel),
                "instruction 0 of 'tc'", "R_BPF_64_64 on opcode 0xbf, which is not a whole LD_IMM64");
    }

    @Test
    void btfTypeIdOutOfRange() {
        // verdict's type [1] is "PTR type_id=3" (bpftool btf dump); point it at type 9999
        ElfPatch p = verdict();
        int btf = p.offset(".BTF");
        int firstType = btf + p.u32(btf + 4) + p.u32(btf + 8);
        refuse(p.put32(firstType + 8, 9999).bytes, "section '.BTF' at offset " + hex(firstType),
                "type id 1 refers to type id 9999, out of range");
    }

    @Test
    void hugeCountsAreCheckedBeforeAnythingIsAllocated() {
        ElfPatch p = verdict();
        int btf = p.offset(".BTF");
        int firstType = btf + p.u32(btf + 4) + p.u32(btf + 8);
        refuse(p.put32(firstType + 4, 4 << 24 | 0xffff).bytes, "section '.BTF' at offset " + hex(firstType),
                "vlen 65535) needs 786420 bytes");
        ElfPatch g = new ElfPatch(TestObjects.bytes("globals"));
        refuse(g.put64(g.header(".bss") + 32, Long.MAX_VALUE).bytes, "section '.bss'",
                "exceeds the kernel's largest map value");
        ElfPatch s = verdict();
        refuse(s.put64(s.header(".symtab") + 32, 24L * 100_000_000).bytes, "section '.symtab'",
                "lies outside the file");
        ElfPatch t = new ElfPatch(TestObjects.bytes("calls"));
        int ext = t.offset(".BTF.ext");
        // func_info's first group: record size at (hdr_len + func_info_off), count 8 bytes later
        int funcInfo = ext + t.u32(ext + 4) + t.u32(ext + 8);
        refuse(t.put32(funcInfo + 8, 0x7fffffff).bytes, "section '.BTF.ext' at offset " + hex(funcInfo + 8),
                "2147483647 records of 8 bytes do not fit");
    }

    @Test
    void aCoreRelocationWithoutATargetMatchIsPoisonedNotRefused() throws Exception {
        // core.o's struct skb_view exists in no kernel: its field offset relocation poisons the load
        dev.tcxsim.vm.btf.TargetBtf target = dev.tcxsim.vm.btf.TargetBtf.of(
                dev.tcxsim.vm.btf.Btf.parse(TestObjects.load("core_target").btf()), "core_target.o");
        ProgramSpec p = ElfLoader.load(TestObjects.bytes("core"), "core", LoadOptions.DEFAULTS.withTargetBtf(target))
                .program("core_mark");
        assertEquals(1, p.poisoned().size());
        PoisonedInsn poisoned = p.poisoned().getFirst();
        assertEquals(PoisonedInsn.HELPER_ID, Insn.imm(p.insns()[poisoned.insnIndex()]));
        for (String f : List.of("program 'core_mark'", "instruction 0", "section 'tc'", "skb_view.mark (0:1")) {
            assertTrue(poisoned.relocation().contains(f), () -> "lacks '" + f + "': " + poisoned.relocation());
        }
    }

    @Test
    void unknownMapTypesOutsideTheKernelsRange() throws Exception {
        ElfPatch p = new ElfPatch(TestObjects.bytes("legacy_maps"));
        int def = p.offset("maps");
        refuse(p.put32(def, 34).bytes, "section 'maps' at offset " + hex(def),
                "map 'legacy_counts': unknown map type 34");
        // 33 (BPF_MAP_TYPE_ARENA) is the kernel's newest: accepted, the map backend decides
        ElfPatch q = new ElfPatch(TestObjects.bytes("legacy_maps"));
        assertEquals(33, ElfLoader.load(q.put32(def, 33).bytes, "arena").maps().getFirst().type());
    }

    @Test
    void unknownProgramSectionNamesAreIgnoredWithTheReason() throws Exception {
        ElfPatch p = verdict();
        int strtab = p.offset(".strtab");
        int nameAt = strtab + p.u32(p.header("tc"));
        byte[] renamed = p.put8(nameAt, 'z').put8(nameAt + 1, 'z').bytes;
        BpfObject o = ElfLoader.load(renamed, "renamed");
        assertTrue(o.programs().isEmpty(), "no tc program left");
        assertEquals(1, o.ignoredSections().size());
        assertEquals("zz", o.ignoredSections().getFirst().section());
        assertTrue(o.ignoredSections().getFirst().reason().contains("unknown program section name"));
        // iproute2's rule instead: the section holds SCHED_CLS programs
        BpfObject asTc = ElfLoader.load(renamed, "renamed", LoadOptions.DEFAULTS.withUnknownSectionsAsTc(true));
        assertEquals(3, asTc.program("verdict").progType());
        assertTrue(asTc.ignoredSections().isEmpty());
    }

    @Test
    void staticProgramsAreRefusedLikeLibbpf() {
        ElfPatch p = verdict();
        int sym = p.symbol("verdict");
        refuse(p.put8(sym + 4, 0x02).bytes, "section '.symtab' at offset " + hex(sym), "program 'verdict'",
                "is static");
    }

    @Test
    void externsOutsideKconfigAndKsymsAreRefused() {
        ElfPatch p = verdict();
        int sym = p.symbol("verdict_override");
        refuse(p.put16(sym + 6, 0).bytes, "section '.symtab' at offset " + hex(sym), "extern 'verdict_override'",
                "in neither .kconfig nor .ksyms");
    }

    @Test
    void mapInMapSlotsMustNameMaps() {
        // map_in_map's .rel.maps puts inner_a in outer's slot 0; point it at the program instead
        ElfPatch p = new ElfPatch(TestObjects.bytes("map_in_map"));
        int rel = p.offset(".rel.maps");
        int program = (p.symbol("count_inner") - p.offset(".symtab")) / 24;
        refuse(p.put32(rel + 12, program).bytes, "section '.rel.maps' at offset " + hex(rel),
                "map 'outer' slot 0: 'count_inner' is not a map in .maps");
    }

    @Test
    void progArraySlotsMustNamePrograms() {
        // tailcall's first .rel.maps entry puts stage_one in slot 0; point it at the map itself
        ElfPatch p = new ElfPatch(TestObjects.bytes("tailcall"));
        int rel = p.offset(".rel.maps");
        int map = (p.symbol("jump_table") - p.offset(".symtab")) / 24;
        refuse(p.put32(rel + 12, map).bytes, "section '.rel.maps' at offset " + hex(rel),
                "map 'jump_table' slot 0: 'jump_table' is not a program of this object");
    }

    @Test
    void misalignedLineInfoNamesItsRecord() {
        // calls' line_info: the first group's first record's insn_off; make it 3 (not a multiple of 8)
        ElfPatch p = new ElfPatch(TestObjects.bytes("calls"));
        int ext = p.offset(".BTF.ext");
        int lineInfo = ext + p.u32(ext + 4) + p.u32(ext + 16);
        int firstRecord = lineInfo + 4 + 8;
        refuse(p.put32(firstRecord, 3).bytes, "section '.BTF.ext' at offset " + hex(firstRecord),
                "line_info of section", "at byte 3 is not on an instruction boundary");
    }

    @Test
    void callIntoNoFunction() {
        // calls: sum_calls' first call (tc insn 3) has imm 2 against the .text section symbol; make it miss
        ElfPatch p = new ElfPatch(TestObjects.bytes("calls"));
        int insn = p.offset("tc") + 3 * 8;
        assertEquals(0x85, p.bytes[insn] & 0xff);
        refuse(p.put32(insn + 4, 5000).bytes, "section 'tc'", "call at instruction 3 targets .text instruction 5001",
                "in no function");
    }
}
