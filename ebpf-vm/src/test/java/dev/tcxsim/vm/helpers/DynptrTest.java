package dev.tcxsim.vm.helpers;

import dev.tcxsim.vm.VerifierException;
import dev.tcxsim.vm.elf.BpfObject;
import dev.tcxsim.vm.elf.KfuncCall;
import dev.tcxsim.vm.elf.ProgramSpec;
import dev.tcxsim.vm.support.Modes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** skb dynptrs: the kfuncs and bpf_dynptr_read/write in testdata/progs/cb_dynptr.c, in every mode and in the kernel. */
class DynptrTest {
    private static final int LEN = 64, FIELDS = 15;

    private static long[] results(byte[] value) {
        return OutFields.u64s(value, FIELDS);
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void dynptrRules(Modes.Mode mode) throws Exception {
        BpfObject obj = CbObjects.object("cb_dynptr");
        byte[] packet = CbObjects.packet(LEN);
        CbObjects.SimRun r = CbObjects.runSim(mode, obj, "dynptr_rules", packet);
        long[] v = results(r.value("out", new byte[4]));
        long read = 0;
        for (int i = 7; i >= 0; i--) {
            read = read << 8 | (packet[6 + i] & 0xff);
        }
        long ethProto = (packet[12] & 0xff) | (packet[13] & 0xff) << 8;
        assertArrayEquals(new long[] {0, -22, 0, -22, -7, -22, 0, -7, -22, -22, 1, ethProto, 1, 1, read}, v);
        byte[] after = r.skb().data();
        assertArrayEquals(new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef},
                java.util.Arrays.copyOfRange(after, 20, 24), "bpf_dynptr_write");
        assertEquals(0x77, after[30] & 0xff, "store through bpf_dynptr_slice_rdwr");
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void sameAsTheKernel(Modes.Mode mode) throws Throwable {
        CbObjects.assumeKernel();
        BpfObject obj = CbObjects.object("cb_dynptr");
        CbObjects.KernelRun k = CbObjects.runKernel(obj, "dynptr_rules", CbObjects.packet(LEN), "out",
                CbObjects::kernelKfuncId);
        CbObjects.SimRun s = CbObjects.runSim(mode, obj, "dynptr_rules", CbObjects.packet(LEN));
        assertEquals(k.outcome().retval(), s.result().returnValue());
        assertArrayEquals(results(k.value()), results(s.value("out", new byte[4])));
        assertArrayEquals(k.outcome().packet(), s.skb().data());
    }

    @Test
    void anUnknownKfuncFailsTheLoadByName() throws Exception {
        ProgramSpec p = CbObjects.object("cb_dynptr").program("dynptr_rules");
        KfuncCall first = p.kfuncCalls().getFirst();
        ProgramSpec renamed = new ProgramSpec(p.name(), p.section(), p.progType(), p.expectedAttachType(), p.insns(),
                p.relocations(), p.funcInfo(), p.lineInfo(), p.poisoned(),
                List.of(new KfuncCall(first.insnIndex(), "bpf_no_such_kfunc", first.localBtfId(), first.targetBtfId())));
        VerifierException e = assertThrows(VerifierException.class,
                () -> Modes.vm(Modes.Mode.REFERENCE).loadProgram(renamed, List.of()));
        assertTrue(e.getMessage().contains("kfunc bpf_no_such_kfunc is not supported"), e.getMessage());
    }
}
