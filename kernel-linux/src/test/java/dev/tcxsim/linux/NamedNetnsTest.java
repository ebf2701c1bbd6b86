package dev.tcxsim.linux;

import dev.tcxsim.kernel.BpfException;
import dev.tcxsim.kernel.BpfProcess;
import dev.tcxsim.kernel.DeviceInfo;
import dev.tcxsim.kernel.Uapi;
import dev.tcxsim.kernel.VethPair;
import dev.tcxsim.tcx.Errno;
import dev.tcxsim.vm.elf.ProgramSpec;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A named namespace (for {@code tcxsim --netns NAME}) keeps devices, links and pins between sessions. */
class NamedNetnsTest {
    @Test
    void aNamedNamespaceIsKeptAcrossSessionsUntilDeleted() throws Exception {
        RealKernel.require();
        String name = "tcxsim-test-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        long inode;
        try {
            int progId;
            try (LinuxKernel first = LinuxKernel.openNamed(name)) {
                inode = first.session().netnsInode();
                assertEquals(name, first.session().netnsName());
                VethPair pair = first.addVeth("keep0", "keep1");
                BpfProcess p = first.process("first");
                int prog = p.progLoad(ProgramSpec.raw("kept", Uapi.BPF_PROG_TYPE_SCHED_CLS, RealKernel.ret(0)), new int[0]);
                progId = p.progInfo(prog).id();
                p.objPin(p.linkCreate(prog, pair.ifindex(), Uapi.BPF_TCX_INGRESS, 0, 0, 0), "kept_link");
            }
            assertTrue(LinuxKernel.namedExists(name), "ip netns list shows it after the session closed");
            assertFalse(Files.exists(Path.of("/sys/class/net/keep0")), "its devices are not the host's");
            try (LinuxKernel second = LinuxKernel.openNamed(name)) {
                assertEquals(inode, second.session().netnsInode(), "the second session joined the same namespace");
                assertTrue(second.devices().stream().map(DeviceInfo::name).toList().containsAll(java.util.List.of("keep0", "keep1")));
                BpfProcess p = second.process("second");
                int link = p.objGet("kept_link");
                assertEquals(progId, p.linkInfo(link).progId());
                assertArrayEquals(new int[] {progId},
                        p.progQuery(second.ifindex("keep0"), Uapi.BPF_TCX_INGRESS, 0, 4).progIds());
            }
        } finally {
            LinuxKernel.deleteNamed(name);
        }
        assertFalse(LinuxKernel.namedExists(name));
        assertFalse(Files.exists(NetnsSession.NAMED_BPFFS_DIR.resolve(name)));
        assertTrue(RealKernel.hostMountsOf(NetnsSession.NAMED_BPFFS_DIR.resolve(name)).isEmpty(), "no tcxsim mount: " + RealKernel.hostMountsOf(NetnsSession.NAMED_BPFFS_DIR.resolve(name)));
        assertFalse(RealKernel.netnsInUse(inode), "no task is left in the deleted namespace");
    }

    @Test
    void aBadNameIsRefusedWithTheReason() {
        RealKernel.require();
        BpfException e = assertThrows(BpfException.class, () -> LinuxKernel.openNamed("../etc"));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().contains("../etc"), e.getMessage());
    }
}
