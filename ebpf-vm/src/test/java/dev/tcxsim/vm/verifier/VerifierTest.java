package dev.tcxsim.vm.verifier;

import dev.tcxsim.vm.VerifierException;
import dev.tcxsim.vm.ctx.SkBuffLayout;
import dev.tcxsim.vm.elf.ProgramSpec;
import dev.tcxsim.vm.isa.Op;
import dev.tcxsim.vm.support.Asm;
import org.junit.jupiter.api.Test;

import static dev.tcxsim.vm.isa.Op.*;
import static dev.tcxsim.vm.support.Asm.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The structural rules: each refused program names the instruction and the rule. */
class VerifierTest {
    private static VerifierException refused(long... insns) {
        return assertThrows(VerifierException.class, () -> Verifier.verify(ProgramSpec.raw("bad", 3, insns), insns));
    }

    private static void assertRule(VerifierException e, int insn, String... parts) {
        assertEquals(insn, e.insnIndex(), e.getMessage());
        assertTrue(e.getMessage().startsWith("insn " + insn), e.getMessage());
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + e.getMessage() + "' should contain '" + p + "'");
        }
    }

    @Test
    void acceptsAndFindsFunctions() throws Exception {
        long[] insns = new Asm().callLocal("f").exit().label("f").ret(1).build();
        assertArrayEquals(new int[] {0, 2}, Verifier.verify(ProgramSpec.raw("ok", 3, insns), insns));
    }

    @Test
    void unknownHelperNamesItsNumber() {
        assertRule(refused(new Asm().call(999).exit().build()), 0, "unknown#999");
    }

    @Test
    void unsupportedHelperNamesItsName() {
        assertRule(refused(new Asm().mov64(R0, 0).call(24).exit().build()), 1, "helper 24", "bpf_get_route_realm", "not supported");
    }

    @Test
    void kfuncCallsAreRefused() {
        assertRule(refused(Op.make(JMP | CALL, 0, PSEUDO_KFUNC_CALL, 0, 1234), new Asm().exit().build()[0]), 0, "kfunc");
    }

    @Test
    void r10IsReadOnly() {
        assertRule(refused(new Asm().mov64(R10, 0).exit().build()), 0, "frame pointer");
        assertRule(refused(new Asm().ldx(DW, R10, R1, 0).exit().build()), 0, "frame pointer");
    }

    @Test
    void registersAboveR10DoNotExist() {
        assertRule(refused(Op.make(ALU64 | MOV | K, 11, 0, 0, 1), new Asm().exit().build()[0]), 0, "r11");
    }

    @Test
    void jumpOutOfTheProgram() {
        assertRule(refused(Op.make(JMP | JA, 0, 0, 5, 0), new Asm().exit().build()[0]), 0, "jump out of range");
    }

    @Test
    void jumpIntoLdImm64() {
        long[] insns = new Asm().raw(Op.make(JMP | JEQ | K, R1, 0, 1, 0)).ldImm64(R0, 1).exit().build();
        assertRule(refused(insns), 0, "middle of LD_IMM64");
    }

    @Test
    void jumpIntoAnotherFunction() {
        long[] insns = new Asm().callLocal("f").raw(Op.make(JMP | JA, 0, 0, 1, 0)).exit().label("f").ret(0).build();
        assertRule(refused(insns), 1, "jump out of range");
    }

    @Test
    void lastInstructionMustExitOrJump() {
        assertRule(refused(new Asm().mov64(R0, 0).build()), 0, "last instruction");
    }

    @Test
    void ldImm64NeedsItsSecondSlot() {
        assertRule(refused(Op.make(LD_IMM64, R0, 0, 0, 1)), 0, "second instruction slot");
    }

    @Test
    void reservedFieldsMustBeZero() {
        assertRule(refused(Op.make(ALU64 | MOV | K, R0, R1, 0, 1), new Asm().exit().build()[0]), 0, "reserved fields");
        assertRule(refused(Op.make(ALU64 | ADD | X, R0, R1, 0, 7), new Asm().exit().build()[0]), 0, "reserved fields");
        assertRule(refused(new Asm().mov64(R0, 0).raw(Op.make(JMP | EXIT, 0, 0, 0, 1)).build()), 1, "BPF_EXIT");
        assertRule(refused(Op.make(ALU64 | ADD | K, R0, 0, 3, 1), new Asm().exit().build()[0]), 0, "off 3");
    }

    @Test
    void unknownOpcode() {
        assertRule(refused(Op.make(0xff, 0, 0, 0, 0), new Asm().exit().build()[0]), 0, "unknown opcode 0xff");
        assertRule(refused(Op.make(LDX | MEMSX | DW, R0, R1, 0, 0), new Asm().exit().build()[0]), 0, "unknown opcode");
    }

    @Test
    void divisionByConstantZeroAndBadShifts() {
        assertRule(refused(new Asm().mov64(R0, 1).alu64(DIV, R0, 0).exit().build()), 1, "division by zero");
        assertRule(refused(new Asm().mov64(R0, 1).alu32(LSH, R0, 32).exit().build()), 1, "invalid shift 32");
    }

    @Test
    void stackAccessesStayInTheFrame() {
        assertRule(refused(new Asm().ldx(DW, R0, R10, -520).exit().build()), 0, "invalid stack access off=-520");
        assertRule(refused(new Asm().st(W, R10, -2, 0).ret(0).build()), 0, "off=-2 size=4");
    }

    @Test
    void contextRules() {
        assertRule(refused(new Asm().ldx(W, R0, R1, SkBuffLayout.FAMILY).exit().build()), 0, "socket fields");
        assertRule(refused(new Asm().ldx(W, R0, R1, 2).exit().build()), 0, "misaligned");
        assertRule(refused(new Asm().ldx(DW, R0, R1, SkBuffLayout.MARK).exit().build()), 0, "4 bytes");
        assertRule(refused(new Asm().ldx(H, R0, R1, SkBuffLayout.DATA).exit().build()), 0, "packet pointers");
        // the context reaches r6 through a copy, and the rule still applies there
        assertRule(refused(new Asm().mov64r(R6, R1).mov64(R2, 0).stx(W, R6, R2, SkBuffLayout.IFINDEX).ret(0).build()),
                2, "ifindex", "read-only");
    }

    @Test
    void writableContextFieldsAreAccepted() throws Exception {
        long[] insns = new Asm().mov64(R2, 1).stx(W, R1, R2, SkBuffLayout.MARK).stx(W, R1, R2, SkBuffLayout.PRIORITY)
                .stx(W, R1, R2, SkBuffLayout.TC_INDEX).stx(W, R1, R2, SkBuffLayout.TC_CLASSID)
                .stx(B, R1, R2, SkBuffLayout.CB + 19).stx(DW, R1, R2, SkBuffLayout.TSTAMP)
                .stx(W, R1, R2, SkBuffLayout.QUEUE_MAPPING).ret(0).build();
        Verifier.verify(ProgramSpec.raw("ok", 3, insns), insns);
    }

    @Test
    void recursionIsRefused() {
        long[] insns = new Asm().callLocal("f").exit().label("f").callLocal("f").exit().build();
        assertRule(refused(insns), 2, "recursive");
    }

    @Test
    void callChainsDeeperThanEightFramesAreRefused() {
        Asm a = new Asm().callLocal("f1").exit();
        for (int i = 1; i <= 8; i++) {
            a.label("f" + i);
            if (i < 8) {
                a.callLocal("f" + (i + 1));
            } else {
                a.mov64(R0, 0);
            }
            a.exit();
        }
        assertRule(refused(a.build()), 0, "9 frames deep");
    }

    @Test
    void legacyPacketLoadsCannotMixWithCalls() {
        long[] insns = new Asm().mov64r(R6, R1).ldAbs(B, 0).callLocal("f").exit().label("f").ret(0).build();
        assertRule(refused(insns), 1, "cannot be mixed with bpf-to-bpf calls");
    }

    @Test
    void emptyProgram() {
        VerifierException e = refused();
        assertTrue(e.getMessage().contains("no instructions"), e.getMessage());
    }
}
