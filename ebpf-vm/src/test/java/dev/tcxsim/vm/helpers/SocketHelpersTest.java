package dev.tcxsim.vm.helpers;

import dev.tcxsim.vm.elf.BpfObject;
import dev.tcxsim.vm.support.Modes;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Socket lookups find nothing, in the simulator and under BPF_PROG_TEST_RUN (testdata/progs/cb_sockets.c). */
class SocketHelpersTest {
    @ParameterizedTest
    @EnumSource(Modes.Mode.class)
    void lookupsReturnNull(Modes.Mode mode) throws Throwable {
        BpfObject obj = CbObjects.object("cb_sockets");
        CbObjects.SimRun s = CbObjects.runSim(mode, obj, "socket_lookups", CbObjects.packet(64));
        assertEquals(0x70, s.result().returnValue(), "three NULL lookups");
        if (dev.tcxsim.vm.support.KernelBpf.available()) {
            assertEquals(CbObjects.runKernel(obj, "socket_lookups", CbObjects.packet(64), null, n -> 0).outcome().retval(),
                    s.result().returnValue());
        }
    }
}
