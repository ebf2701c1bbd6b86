package dev.tcxsim.vm.mem;

import dev.tcxsim.vm.EbpfVm;
import dev.tcxsim.vm.RunEnv;
import dev.tcxsim.vm.RunResult;
import dev.tcxsim.vm.VerifierException;
import dev.tcxsim.vm.ctx.SkBuff;
import dev.tcxsim.vm.ctx.SkBuffLayout;
import dev.tcxsim.vm.elf.LineInfo;
import dev.tcxsim.vm.elf.MapSpec;
import dev.tcxsim.vm.elf.ProgramSpec;
import dev.tcxsim.vm.helpers.Helpers;
import dev.tcxsim.vm.maps.BpfMap;
import dev.tcxsim.vm.support.Asm;
import dev.tcxsim.vm.support.Modes;
import dev.tcxsim.vm.truffle.EbpfEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.tcxsim.vm.isa.Op.*;
import static dev.tcxsim.vm.support.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad accesses stop the program with a fault naming the instruction, the address and the region, in every mode. */
class MemoryFaultTest {
    private static final MapSpec ARRAY = MapSpec.of("counters", BpfMap.TYPE_ARRAY, 4, 8, 4, 0);
    private static final MapSpec RODATA = MapSpec.of(".rodata", BpfMap.TYPE_ARRAY, 4, 16, 1, BpfMap.BPF_F_RDONLY_PROG);

    /** Runs in all modes, checks every mode faulted with the same message, and returns it. */
    private static String fault(Asm asm, MapSpec... maps) throws Exception {
        Map<Modes.Mode, Modes.Run> runs = Modes.runAll(asm.build(), Modes.packet(64), RunEnv.DEFAULT, maps);
        String msg = runs.get(Modes.Mode.REFERENCE).result().fault();
        assertNotNull(msg, "the reference interpreter did not fault");
        for (Modes.Run r : runs.values()) {
            assertEquals(msg, r.result().fault(), "fault message in " + r.mode());
            assertEquals(0, r.result().r0());
        }
        return msg;
    }

    private static void assertContains(String text, String... parts) {
        for (String p : parts) {
            assertTrue(text.contains(p), "'" + text + "' should contain '" + p + "'");
        }
    }

    @Test
    void packetOutOfBounds() throws Exception {
        String f = fault(new Asm().ldx(W, R2, R1, SkBuffLayout.DATA).ldx(W, R0, R2, 1500).exit());
        assertEquals("insn 1: load of 4 bytes at packet+1500 is out of bounds (packet is 64 bytes)", f);
    }

    @Test
    void packetBeforeData() throws Exception {
        String f = fault(new Asm().ldx(W, R2, R1, SkBuffLayout.DATA).st(B, R2, -1, 0).ret(0));
        assertContains(f, "insn 1", "store of 1 bytes at packet-1", "out of bounds");
    }

    @Test
    void stackOutOfBounds() throws Exception {
        String f = fault(new Asm().mov64r(R1, R10).alu64(ADD, R1, -1000).ldx(DW, R0, R1, 0).exit());
        assertContains(f, "insn 2", "load of 8 bytes at stack-488", "out of bounds");
    }

    @Test
    void nullDereference() throws Exception {
        String f = fault(new Asm().mov64(R1, 0).ldx(W, R0, R1, 0).exit());
        assertEquals("insn 1: load of 4 bytes at NULL (0x0): NULL pointer dereference", f);
    }

    @Test
    void missedLookupDereferenced() throws Exception {
        String f = fault(new Asm().st(W, R10, -4, 9).mov64r(R2, R10).alu64(ADD, R2, -4).ldMap(R1, 0)
                .call(Helpers.MAP_LOOKUP_ELEM).ldx(DW, R0, R0, 0).exit(), ARRAY);
        assertContains(f, "insn 6", "NULL pointer dereference");
    }

    @Test
    void numberUsedAsPointer() throws Exception {
        String f = fault(new Asm().mov64(R1, 0x1234).stx(W, R1, R1, 0).ret(0));
        assertContains(f, "insn 1", "store of 4 bytes at 0x1234 is invalid", "a number, not a pointer");
    }

    @Test
    void mapValueOutOfBounds() throws Exception {
        String f = fault(new Asm().st(W, R10, -4, 1).mov64r(R2, R10).alu64(ADD, R2, -4).ldMap(R1, 0)
                .call(Helpers.MAP_LOOKUP_ELEM).jmp(JEQ, R0, 0, "out").ldx(DW, R0, R0, 8).exit()
                .label("out").ret(0), ARRAY);
        assertContains(f, "insn 7", "load of 8 bytes at map 'counters' value+8 is out of bounds (a value is 8 bytes)");
    }

    @Test
    void writeToRodata() throws Exception {
        String f = fault(new Asm().ldMapValue(R1, 0, 4).st(W, R1, 0, 1).ret(0), RODATA);
        assertContains(f, "insn 2", "map '.rodata'", "read-only for programs");
    }

    @Test
    void writeToAReadOnlyContextFieldThroughACopiedPointer() throws Exception {
        // r2 = r1 + 0 hides the context from the load-time check, so the run-time check must catch it
        String f = fault(new Asm().mov64r(R2, R1).alu64(ADD, R2, 0).mov64(R3, 1).stx(W, R2, R3, SkBuffLayout.LEN).ret(0));
        assertContains(f, "insn 3", "invalid context access", "__sk_buff+0 (len)", "read-only");
    }

    @Test
    void contextOutOfBounds() throws Exception {
        String f = fault(new Asm().mov64r(R2, R1).alu64(ADD, R2, 200).ldx(W, R0, R2, 0).exit());
        assertContains(f, "insn 2", "invalid context access", "__sk_buff+200", "outside struct __sk_buff (192 bytes)");
    }

    @Test
    void mapHandleIsNotMemory() throws Exception {
        String f = fault(new Asm().ldMap(R1, 0).ldx(W, R0, R1, 0).exit(), ARRAY);
        assertContains(f, "insn 2", "load of 4 bytes at the map object 'counters' is invalid");
    }

    @Test
    void helperGivenANumberForAMap() throws Exception {
        String f = fault(new Asm().mov64(R1, 5).mov64r(R2, R10).alu64(ADD, R2, -4).st(W, R10, -4, 0)
                .call(Helpers.MAP_LOOKUP_ELEM).exit());
        assertContains(f, "insn 4", "map_lookup_elem(1): R1 is not a map pointer");
    }

    @Test
    void faultNamesTheSourceLine() throws Exception {
        long[] insns = new Asm().mov64(R1, 0).ldx(W, R0, R1, 0).exit().build();
        ProgramSpec spec = new ProgramSpec("withlines", "tc", 3, 0, insns, List.of(), List.of(),
                List.of(new LineInfo(0, "/src/progs/foo.c", "int x = 0;", 32, 5),
                        new LineInfo(1, "/src/progs/foo.c", "return *p;", 33, 9)));
        for (Modes.Mode m : Modes.Mode.values()) {
            RunResult r = Modes.vm(m).loadProgram(spec, List.of()).run(new SkBuff(Modes.packet(64)), RunEnv.DEFAULT);
            assertEquals("insn 1 (line foo.c:33): load of 4 bytes at NULL (0x0): NULL pointer dereference", r.fault(), m.name());
        }
    }

    private static final EbpfVm[] SMALL_BUDGET = {
        new EbpfVm(EbpfEngine.Mode.INTERPRETED, 10_000), new EbpfVm(EbpfEngine.Mode.COMPILE_IMMEDIATELY, 10_000),
        EbpfVm.referenceInterpreter(10_000)};

    @AfterAll
    static void closeVms() {
        for (EbpfVm vm : SMALL_BUDGET) {
            vm.close();
        }
    }

    @Test
    void endlessLoopExhaustsTheBudget() throws Exception {
        long[] insns = new Asm().mov64(R0, 0).label("l").alu64(ADD, R0, 1).ja("l").build();
        for (EbpfVm vm : SMALL_BUDGET) {
            RunResult r = vm.loadRaw("spin", List.of(), insns).run(new SkBuff(Modes.packet(64)), RunEnv.DEFAULT);
            assertNotNull(r.fault());
            assertContains(r.fault(), "instruction budget of 10000 exhausted");
            assertEquals(10_000, r.insnsExecuted(), "instructions counted up to the budget");
        }
    }

    @Test
    void constantContextStoreToAReadOnlyFieldIsRefusedAtLoad() {
        long[] insns = new Asm().mov64(R2, 1).stx(W, R1, R2, SkBuffLayout.PROTOCOL).ret(0).build();
        VerifierException e = assertThrows(VerifierException.class,
                () -> Modes.vm(Modes.Mode.REFERENCE).loadRaw("ro", List.of(), insns));
        assertContains(e.getMessage(), "insn 1", "protocol", "read-only");
        assertEquals(1, e.insnIndex());
    }
}
