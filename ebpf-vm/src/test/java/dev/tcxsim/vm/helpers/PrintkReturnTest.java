package dev.tcxsim.vm.helpers;

import dev.tcxsim.vm.LoadedObject;
import dev.tcxsim.vm.RunEnv;
import dev.tcxsim.vm.RunResult;
import dev.tcxsim.vm.ctx.SkBuff;
import dev.tcxsim.vm.elf.BpfObject;
import dev.tcxsim.vm.support.Modes;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** bpf_trace_printk and bpf_trace_vprintk (testdata/progs/cb_printk.c): the lines and return values, also against the kernel. */
class PrintkReturnTest {
    private static final int LEN = 66;

    private static long[] results(byte[] value) {
        return OutFields.u64s(value, 4);
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void linesAndLengths(Modes.Mode mode) throws Exception {
        LoadedObject obj = Modes.vm(mode).load(CbObjects.object("cb_printk"));
        List<String> lines = new ArrayList<>();
        RunResult r = obj.program("printk_returns").run(new SkBuff(CbObjects.packet(LEN)), new RunEnv() {
            @Override
            public void tracePrintk(String line) {
                lines.add(line);
            }
        });
        assertNull(r.fault(), r.fault());
        assertEquals(List.of("cb_printk len=66 mark=0 q=-7", "cb_printk len=66", "cb_printk 1 22 333 -4444 66",
                "cb_printk 1 22 333 -4444 66"), lines);
        long[] v = results(obj.map("out").lookup(new byte[4]));
        assertEquals("cb_printk len=66 mark=0 q=-7".length(), v[0]);
        assertEquals("cb_printk len=66\n".length(), v[1]);
    }

    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void sameAsTheKernel(Modes.Mode mode) throws Throwable {
        CbObjects.assumeKernel();
        BpfObject obj = CbObjects.object("cb_printk");
        CbObjects.KernelRun k = CbObjects.runKernel(obj, "printk_returns", CbObjects.packet(LEN), "out", n -> 0);
        CbObjects.SimRun s = CbObjects.runSim(mode, obj, "printk_returns", CbObjects.packet(LEN));
        assertArrayEquals(results(k.value()), results(s.value("out", new byte[4])));
    }
}
