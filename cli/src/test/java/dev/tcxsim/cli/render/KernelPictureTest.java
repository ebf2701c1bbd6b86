package dev.tcxsim.cli.render;

import dev.tcxsim.cli.render.NetPicture.Device;
import dev.tcxsim.cli.render.NetPicture.Outcome;
import dev.tcxsim.cli.render.NetPicture.PacketPath;
import dev.tcxsim.cli.render.NetPicture.StepKind;
import dev.tcxsim.kernel.BpfException;
import dev.tcxsim.kernel.BpfProcess;
import dev.tcxsim.kernel.DeviceInfo;
import dev.tcxsim.kernel.TcDirection;
import dev.tcxsim.kernel.Uapi;
import dev.tcxsim.kernel.sim.SimKernel;
import dev.tcxsim.kernel.sim.TraceEvent;
import dev.tcxsim.vm.elf.ProgramSpec;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * From a real {@link SimKernel} session to a picture: chains and filters through the Kernel API, the
 * packet path from the simulator's trace of one transmit.
 */
class KernelPictureTest {
    private static long insn(int op, int dst, int src, int off, int imm) {
        return op | (long) dst << 8 | (long) src << 12 | (long) (off & 0xffff) << 16 | (long) imm << 32;
    }

    /** r0 = verdict; exit */
    private static ProgramSpec returns(String name, int verdict) {
        return ProgramSpec.raw(name, Uapi.BPF_PROG_TYPE_SCHED_CLS, insn(0xb7, 0, 0, 0, verdict), insn(0x95, 0, 0, 0, 0));
    }

    /** return bpf_redirect(ifindex, 0): to that device's egress */
    private static ProgramSpec redirects(String name, int ifindex) {
        return ProgramSpec.raw(name, Uapi.BPF_PROG_TYPE_SCHED_CLS, insn(0xb7, 1, 0, 0, ifindex),
                insn(0xb7, 2, 0, 0, 0), insn(0x85, 0, 0, 0, 23), insn(0x95, 0, 0, 0, 0));
    }

    private static byte[] udpFrame() {
        ByteBuffer b = ByteBuffer.allocate(42 + 4);
        b.put(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) 32).putInt(0).put((byte) 64).put((byte) 17).putShort((short) 0)
                .put(new byte[] {10, 0, 0, 1, 10, 0, 0, 2});
        b.putShort((short) 1234).putShort((short) 5678).putShort((short) 12).putShort((short) 0).put("ping".getBytes());
        return b.array();
    }

    @Test
    void snapshotAndTraceOfARedirectedPacket() throws Exception {
        try (SimKernel k = new SimKernel()) {
            BpfProcess p = k.process("agent");
            k.addVeth("veth0", "veth1");
            int dum0 = k.addDummy("dum0");
            int veth0 = k.ifindex("veth0");
            int veth1 = k.ifindex("veth1");
            int count = p.progLoad(returns("count", -1), new int[0]);
            int policy = p.progLoad(returns("policy", -1), new int[0]);
            int fw = p.progLoad(returns("fw", -1), new int[0]);
            int redir = p.progLoad(redirects("redir", dum0), new int[0]);
            int shaper = p.progLoad(returns("shaper", 0), new int[0]);
            int link = p.linkCreate(count, veth0, Uapi.BPF_TCX_EGRESS, 0, 0, 0);
            p.progAttach(veth0, Uapi.BPF_TCX_EGRESS, policy, 0, 0, 0, 0);
            p.linkCreate(fw, veth1, Uapi.BPF_TCX_INGRESS, 0, 0, 0);
            p.progAttach(veth1, Uapi.BPF_TCX_INGRESS, redir, 0, 0, 0, 0);
            k.qdiscAddClsact("dum0");
            k.filterAdd(p, "dum0", TcDirection.EGRESS, 10, 1, shaper, true, false);

            k.transmit("veth0", udpFrame());
            List<TraceEvent> events = k.lastTrace().events();
            PacketPath path = SimTracePath.of(events, i -> k.devices().stream().filter(d -> d.ifindex() == i)
                    .map(DeviceInfo::name).findFirst().orElse(null));
            NetPicture pic = KernelPicture.snapshot(k, p, "redirect", path);

            // by ifindex, as the kernel lists them: the peer is registered first
            assertEquals(List.of("veth1", "veth0", "dum0"), pic.devices().stream().map(Device::name).toList(),
                    "loopback has nothing attached and is left out");
            Device v0 = pic.device("veth0");
            assertEquals("veth1", v0.peer());
            assertEquals(List.of("count", "policy"), v0.egress().tcx().stream().map(NetPicture.TcxProg::progName)
                    .toList());
            assertEquals(p.linkInfo(link).id(), v0.egress().tcx().get(0).linkId());
            assertTrue(v0.egress().tcx().get(1).plain());
            assertTrue(v0.egress().revision() > 1, "two attaches moved the revision on");
            assertEquals("shaper", pic.device("dum0").egress().classic().getFirst().progName());
            assertTrue(pic.device("dum0").egress().classic().getFirst().directAction());

            assertEquals(List.of(StepKind.TCX, StepKind.TCX, StepKind.TRANSMIT, StepKind.TCX, StepKind.TCX,
                    StepKind.REDIRECT, StepKind.CLASSIC), path.steps().stream().map(NetPicture.Step::kind).toList(),
                    k.lastTrace().toString());
            assertEquals("veth1 ingress", path.steps().get(2).target());
            assertEquals("dum0 egress", path.steps().get(5).target());
            assertEquals("redir", path.steps().get(4).progName());
            assertEquals(7, path.steps().get(4).returnValue());
            assertEquals("TCX_REDIRECT", path.steps().get(4).verdict());
            assertEquals("TCX_NEXT", path.steps().get(0).verdict());
            assertEquals(Outcome.TRANSMITTED, path.fate().outcome(), path.fate().text());
            assertEquals("dum0", path.fate().device());

            String svg = ChainSvg.render(pic);
            ChainChromiumTest.parseXml(svg);
            String text = TraceText.render(path);
            assertTrue(text.contains("veth1  ingress  redirect  → dum0 egress"), text);
            assertTrue(text.contains("fate: sent on dum0"), text);
            for (int fd : new int[] {count, policy, fw, redir, shaper}) {
                p.close(fd);
            }
        }
    }

    @Test
    void aDropEndsThePathOnItsDeviceWithTheReason() throws BpfException {
        try (SimKernel k = new SimKernel()) {
            BpfProcess p = k.process("agent");
            k.addVeth("veth0", "veth1");
            int drop = p.progLoad(returns("dropper", 2), new int[0]);
            p.progAttach(k.ifindex("veth1"), Uapi.BPF_TCX_INGRESS, drop, 0, 0, 0, 0);
            k.transmit("veth0", udpFrame());
            PacketPath path = SimTracePath.of(k.lastTrace().events(), i -> null);
            assertEquals(2, path.steps().size(), path.steps().toString());
            assertEquals(StepKind.TRANSMIT, path.steps().get(0).kind());
            assertEquals("TCX_DROP", path.steps().get(1).verdict());
            assertEquals(Outcome.DROPPED, path.fate().outcome());
            assertEquals("veth1", path.fate().device());
            assertTrue(path.fate().text().startsWith("dropped on veth1: TC_INGRESS"), path.fate().text());
            NetPicture pic = KernelPicture.snapshot(k, p, "drop", path);
            assertNull(pic.device("lo"));
            assertFalse(ChainSvg.render(pic).isEmpty());
            p.close(drop);
        }
    }
}
