package dev.tcxsim.kernel.sim;

import dev.tcxsim.kernel.BpfException;
import dev.tcxsim.kernel.BpfProcess;
import dev.tcxsim.kernel.TcDirection;
import dev.tcxsim.kernel.Uapi;
import dev.tcxsim.kernel.VethPair;
import dev.tcxsim.vm.RunResult;
import dev.tcxsim.vm.ctx.SkBuff;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The __sk_buff fields the hooks set up (section 6.7), seen through a test runtime whose
 * programs are Java lambdas: they record the skb they were given and return a fixed code.
 */
class SkbFieldsTest {
    /** What one program run saw. */
    record Seen(String prog, SkBuff skb, boolean atIngress, int ifindex, int ingressIfindex, int cb0) {
    }

    final List<Seen> seen = new ArrayList<>();

    /** Programs by name: "obsN" records and returns N-1 (so obs0 = NEXT); "cls5" sets tc_classid 0x10005 and passes; "cb7" sets cb[0] = 7 and says NEXT. */
    final ProgramRuntime runtime = (spec, maps) -> (skb, env) -> {
        String name = spec.name();
        seen.add(new Seen(name, skb, skb.tcAtIngress(), skb.ifindex(), skb.ingressIfindex(), skb.cb(0)));
        if (name.startsWith("cls")) {
            skb.setTcClassid(0x10000 | Integer.parseInt(name.substring(3)));
            return new RunResult(0, null, null, 1);
        }
        if (name.startsWith("cb")) {
            skb.setCb(0, Integer.parseInt(name.substring(2)));
            return new RunResult(-1, null, null, 1);
        }
        return new RunResult(Integer.parseInt(name.substring(3)) - 1, null, null, 1);
    };

    int load(BpfProcess p, String name) throws BpfException {
        return p.progLoad(Progs.ret(name, 0), new int[0]);
    }

    @Test
    void hooksSetDirectionAndDevice() throws BpfException {
        try (SimKernel k = new SimKernel(runtime)) {
            VethPair v = k.addVeth("va", "vb");
            BpfProcess p = k.process("t");
            p.progAttach(v.ifindex(), Uapi.BPF_TCX_EGRESS, load(p, "obs0"), 0, 0, 0, 0);
            p.progAttach(v.peerIfindex(), Uapi.BPF_TCX_INGRESS, load(p, "obs1"), 0, 0, 0, 0);
            k.transmit("va", Progs.udp("192.0.2.2", 1, new byte[4]));
            assertEquals(2, seen.size());
            Seen eg = seen.get(0);
            assertFalse(eg.atIngress());
            assertEquals(v.ifindex(), eg.ifindex());
            assertEquals(0, eg.ingressIfindex());
            Seen in = seen.get(1);
            assertTrue(in.atIngress());
            assertEquals(v.peerIfindex(), in.ifindex());
            assertEquals(v.peerIfindex(), in.ingressIfindex());
            assertEquals(0x0008, in.skb().protocol());                  // ETH_P_IP as __sk_buff holds it
            assertEquals(0xff, in.skb().data()[0] & 0xff);              // data starts at the Ethernet header
        }
    }

    @Test
    void passCopiesTheClassidMinorIntoTcIndex() throws BpfException {
        try (SimKernel k = new SimKernel(runtime)) {
            VethPair v = k.addVeth("va", "vb");
            BpfProcess p = k.process("t");
            p.progAttach(v.peerIfindex(), Uapi.BPF_TCX_INGRESS, load(p, "cls5"), 0, 0, 0, 0);
            k.transmit("va", Progs.udp("192.0.2.2", 1, new byte[4]));
            assertEquals(5, seen.getFirst().skb().tcIndex());
        }
    }

    @Test
    void cbTravelsFromTcxToClassic() throws BpfException {
        try (SimKernel k = new SimKernel(runtime)) {
            VethPair v = k.addVeth("va", "vb");
            BpfProcess p = k.process("t");
            k.qdiscAddClsact("vb");
            p.progAttach(v.peerIfindex(), Uapi.BPF_TCX_INGRESS, load(p, "cb7"), 0, 0, 0, 0);
            k.filterAdd(p, "vb", TcDirection.INGRESS, 1, 1, load(p, "obs0"), true, false);
            k.transmit("va", Progs.udp("192.0.2.2", 1, new byte[4]));
            assertEquals(2, seen.size());
            assertEquals(7, seen.get(1).cb0());
        }
    }
}
