package dev.tcxsim.vm.elf;

import dev.tcxsim.vm.LoadedProgram;
import dev.tcxsim.vm.RunEnv;
import dev.tcxsim.vm.RunResult;
import dev.tcxsim.vm.btf.Btf;
import dev.tcxsim.vm.btf.BtfKind;
import dev.tcxsim.vm.btf.TargetBtf;
import dev.tcxsim.vm.ctx.SkBuff;
import dev.tcxsim.vm.support.Modes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One test per kind of CO-RE relocation: core_kinds.o's programs, resolved against the BTF of
 * core_target.o (whose C source gives every offset and size expected here), run on the VM.
 */
class CoreRelocationTest {
    private static TargetBtf target;
    private static BpfObject kinds;

    @BeforeAll
    static void load() throws Exception {
        target = TargetBtf.of(Btf.parse(TestObjects.load("core_target").btf()), "core_target.o");
        kinds = ElfLoader.load(TestObjects.bytes("core_kinds"), "core_kinds", LoadOptions.DEFAULTS.withTargetBtf(target));
    }

    private static long run(String program, byte[] packet) throws Exception {
        LoadedProgram p = Modes.vm(Modes.Mode.COMPILED).loadProgram(kinds.program(program), List.of());
        RunResult r = p.run(new SkBuff(packet), RunEnv.DEFAULT);
        assertNull(r.fault(), () -> String.valueOf(r.fault()));
        return r.returnValue();
    }

    private static long run(String program) throws Exception {
        return run(program, new byte[64]);
    }

    @Test
    void fieldByteOffsetsFollowTheTargetThroughAnonymousMembersAndArrays() throws Exception {
        // inner_b: 20 inside the anonymous union/struct; arr[2]: 24 + 2 * 4; nested.y: 48 + 4
        assertEquals(20 | 32 << 8 | 52 << 16, run("offsets"));
    }

    @Test
    void fieldAndTypeSizesAreTheTargets() throws Exception {
        // small is a __u16 on the target, arr 4 x __u32, struct core_thing 56 bytes; a missing type has size 0
        assertEquals(2 | 16 << 8 | 56 << 16, run("sizes"));
    }

    @Test
    void existenceAndMatchesChecks() throws Exception {
        // small exists, gone does not; core_only_target exists, core_missing does not;
        // ___v1 of core_only_target and core_nested match, ___v2 (a __u16 a) does not
        assertEquals(1 | 1 << 2 | 1 << 4 | 1 << 6, run("existence"));
    }

    @Test
    void signednessAndBitfieldShifts() throws Exception {
        // sval and neg signed, small not; mid is bits 3..9 of the u32 at 40: lshift 64-(323+7-320), rshift 64-7
        assertEquals(1 | 1 << 2 | 54 << 8 | 57 << 16, run("signedness"));
    }

    @Test
    void enumValuesByEssentialName() throws Exception {
        // CORE_BLUE___v1 exists (30 on the target), CORE_PURPLE___v1 does not
        assertEquals(1 | 30 << 8, run("enums"));
    }

    @Test
    void wideEnumValuesTypedefRootsAndArrayBounds() throws Exception {
        // CORE_BIG is 0x500000007 on the target (an LD_IMM64); CORE_HUGE___v1 has no target value;
        // core_arrays_t (a typedef) exists with size 16; arr2 has 4 elements there: [3] exists, [6] not
        assertEquals(5 | 7 << 4 | 1 << 9 | 1 << 10 | 16 << 16, run("wide_and_bounds"));
    }

    @Test
    void typeIdsLocalAndTarget() throws Exception {
        Btf local = Btf.parse(kinds.btf());
        int localId = local.find(BtfKind.STRUCT, "core_thing___v1").orElseThrow();
        int targetId = target.btf().find(BtfKind.STRUCT, "core_thing").orElseThrow();
        assertTrue(localId != targetId, "the two ids must differ for the test to tell them apart");
        assertEquals(localId << 16 | targetId, run("type_ids"));
    }

    private static byte[] thing() {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 64; i++) {
            b.put(i, (byte) (0x11 * (i % 7) + i));
        }
        b.putInt(40, 0b1010110011_1011001_101 | 0x5a5a << 16); // lo=5, mid=0b1011001
        b.putInt(44, 0b10110); // neg = -10 in 5 bits
        return b.array();
    }

    @Test
    void loadsUseTargetOffsetsAndANarrowerLoadForASmallerUnsignedField() throws Exception {
        byte[] p = thing();
        ByteBuffer b = ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN);
        long expected = (b.getShort(8) & 0xffff) + (b.getInt(20) & 0xffffffffL) + (b.getInt(32) & 0xffffffffL)
                + (b.getInt(52) & 0xffffffffL);
        assertEquals((int) expected, (int) run("loads", p));
        long[] insns = kinds.program("loads").insns();
        boolean halfWordAt8 = false;
        for (long insn : insns) {
            halfWordAt8 |= Insn.opcode(insn) == 0x69 && Insn.off(insn) == 8; // LDX | MEM | H
        }
        assertTrue(halfWordAt8, "the u32 read of small becomes a 2-byte load at offset 8");
    }

    @Test
    void bitfieldReadsExtractTheTargetsBits() throws Exception {
        byte[] p = thing();
        int w = ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN).getInt(40);
        int mid = (w >>> 3) & 0x7f;
        int lo = w & 7;
        int neg = (ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN).getInt(44) << 27) >> 27;
        assertEquals(-10, neg);
        assertEquals((mid | lo << 8) + neg * 65536, (int) run("bitfields", p));
    }

    @Test
    void aFieldMissingOnTheTargetPoisonsItsAccess() {
        for (String name : List.of("guarded_gone", "unguarded_gone")) {
            ProgramSpec p = kinds.program(name);
            assertEquals(1, p.poisoned().size(), name + ": " + p.poisoned());
            PoisonedInsn poisoned = p.poisoned().getFirst();
            long insn = p.insns()[poisoned.insnIndex()];
            assertEquals(Insn.CALL, Insn.opcode(insn));
            assertEquals(Insn.PSEUDO_HELPER, Insn.src(insn));
            assertEquals(0xbad2310, Insn.imm(insn));
            assertEquals(poisoned, p.poisonedAt(poisoned.insnIndex()));
            assertNull(p.poisonedAt(poisoned.insnIndex() + 1));
            for (String f : List.of("program '" + name + "'", "byte_off", "core_thing___v1.gone",
                    "no match in core_target.o")) {
                assertTrue(poisoned.relocation().contains(f), () -> "lacks '" + f + "': " + poisoned.relocation());
            }
        }
        // the existence check itself is not poisoned: it became 0
        assertTrue(kinds.program("existence").poisoned().isEmpty());
    }

    @Test
    void objectsWithoutCoreRelocationsNeverReadTheTargetBtf() throws Exception {
        TargetBtf unreadable = null; // LoadOptions with no target: loading verdict.o must not touch the host's
        BpfObject o = ElfLoader.load(TestObjects.bytes("verdict"), "verdict", LoadOptions.DEFAULTS.withTargetBtf(unreadable));
        assertTrue(o.programs().stream().allMatch(p -> p.poisoned().isEmpty()));
    }

    // ---- malformed records: the error names .BTF.ext and the record's offset ----

    /** File offset of the first CO-RE record of core_kinds.o (after the block's record size and group header). */
    private static int firstRecord(ElfPatch p) {
        int ext = p.offset(".BTF.ext");
        int hdrLen = p.u32(ext + 4);
        int coreOff = p.u32(ext + 24);
        return ext + hdrLen + coreOff + 4 + 8;
    }

    private static String refuse(ElfPatch p, String... fragments) {
        ElfFormatException e = assertThrows(ElfFormatException.class,
                () -> ElfLoader.load(p.bytes, "damaged", LoadOptions.DEFAULTS.withTargetBtf(target)));
        assertNull(e.getCause(), () -> "not caught by an explicit check: " + e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), () -> "message lacks '" + f + "': " + e.getMessage());
        }
        return e.getMessage();
    }

    @Test
    void badTypeId() {
        ElfPatch p = new ElfPatch(TestObjects.bytes("core_kinds"));
        int rec = firstRecord(p);
        refuse(p.put32(rec + 4, 999_999), "section '.BTF.ext' at offset 0x" + Integer.toHexString(rec),
                "CO-RE relocation #0 of section 'tc'", "type id 999999");
    }

    @Test
    void badAccessStrings() {
        ElfPatch p = new ElfPatch(TestObjects.bytes("core_kinds"));
        int rec = firstRecord(p);
        int sectionName = p.u32(rec - 8); // the group's section name ("tc"): a string, but no access string
        refuse(p.put32(rec + 8, sectionName), "at offset 0x" + Integer.toHexString(rec), "access string \"tc\"",
                "not numbers separated by ':'");
        ElfPatch q = new ElfPatch(TestObjects.bytes("core_kinds"));
        refuse(q.put32(rec + 8, 0x7fff_0000), "at offset 0x" + Integer.toHexString(rec), "is not a string of .BTF");
    }

    @Test
    void badKindAndInstruction() {
        ElfPatch p = new ElfPatch(TestObjects.bytes("core_kinds"));
        int rec = firstRecord(p);
        refuse(p.put32(rec + 12, 77), "at offset 0x" + Integer.toHexString(rec), "unknown CO-RE relocation kind 77");
        ElfPatch q = new ElfPatch(TestObjects.bytes("core_kinds"));
        refuse(q.put32(rec, 0x7ffffff8), "at offset 0x" + Integer.toHexString(rec), "is not an instruction");
        ElfPatch r = new ElfPatch(TestObjects.bytes("core_kinds"));
        refuse(r.put32(rec, 3), "is not an instruction");
    }

    @Test
    void aRecordOnAnInstructionThatCannotCarryIt() throws Exception {
        // point the first record (a field offset, on an ALU immediate) at the program's exit
        ElfPatch p = new ElfPatch(TestObjects.bytes("core_kinds"));
        int rec = firstRecord(p);
        long[] offsets = kinds.program("offsets").insns(); // the first program of section 'tc'
        int exit = offsets.length - 1;
        assertEquals(Insn.EXIT, Insn.opcode(offsets[exit]));
        refuse(p.put32(rec, exit * 8), "cannot carry a CO-RE relocation");
    }
}
