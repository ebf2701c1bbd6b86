package dev.tcxsim.linux;

import dev.tcxsim.linux.ffm.Bpf;
import dev.tcxsim.linux.ffm.ErrnoException;
import dev.tcxsim.linux.ffm.Rtnetlink;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NetnsSessionTest {
    private static final int TCX_INGRESS = 46;

    @Test
    void theSessionLivesInItsOwnNetworkAndMountNamespace() throws Exception {
        RealKernel.require();
        long hostNetns = (Long) Files.getAttribute(Path.of("/proc/self/ns/net"), "unix:ino");
        try (NetnsSession s = NetnsSession.start()) {
            assertNotEquals(hostNetns, s.netnsInode(), "the session thread must have left the host netns");
            assertTrue(s.bpffsMounted(), "bpffs is mounted in the session's mount namespace");
            assertTrue(RealKernel.hostMountsOf(s.bpffs()).isEmpty(), "the bpffs mount must not show in the host's mount table");
            s.call(() -> {
                s.rtnl().addDummy("tcxsim-iso0");
                return null;
            });
            assertFalse(Files.exists(Path.of("/sys/class/net/tcxsim-iso0")), "a session device must not appear on the host");
            assertEquals("0", s.call(() -> Files.readString(Path.of("/proc/sys/net/ipv4/conf/all/rp_filter")).trim()));
            assertEquals("1", s.call(() -> Files.readString(Path.of("/proc/sys/net/ipv6/conf/default/disable_ipv6")).trim()));
        }
    }

    /** Makes devices, a pinned link, pinned and unpinned programs and open fds. */
    private static void populate(NetnsSession s) throws ErrnoException {
        s.call(() -> {
            Rtnetlink rt = s.rtnl();
            rt.addVeth("tcxsim-c0", "tcxsim-c1");
            rt.addDummy("tcxsim-c2");
            int ifindex = rt.link("tcxsim-c0").ifindex();
            rt.setUp(ifindex);
            int prog = s.track(Bpf.progLoad(3, RealKernel.ret(0), "GPL", "cleanup", 0));
            int link = s.track(Bpf.linkCreate(prog, ifindex, TCX_INGRESS, 0, 0, 0));
            Bpf.objPin(prog, s.bpffs().resolve("prog").toString());
            Files.createDirectory(s.bpffs().resolve("dir"));
            Bpf.objPin(link, s.bpffs().resolve("dir/link").toString());
            s.track(Bpf.mapCreate(2, 4, 8, 4, 0, 0, "cleanup_map"));
            return null;
        });
    }

    private static void assertNothingLeft(NetnsSession s) throws Exception {
        assertTrue(s.closeProblems().isEmpty(), "close reported: " + s.closeProblems());
        assertFalse(Files.exists(s.bpffs()), "the bpffs directory is removed");
        assertTrue(RealKernel.hostMountsOf(s.bpffs()).isEmpty(), "no tcxsim mount remains: " + RealKernel.hostMountsOf(s.bpffs()));
        assertFalse(RealKernel.netnsInUse(s.netnsInode()), "no task is left in the session's netns");
        assertFalse(Files.exists(Path.of("/run/netns/tcxsim-" + s.id())), "no named netns remains");
        assertThrows(IllegalStateException.class, () -> s.call(() -> null), "a closed session refuses work");
    }

    @Test
    void closeRemovesDevicesPinsLinksAndFds() throws Exception {
        RealKernel.require();
        NetnsSession s = NetnsSession.start();
        try {
            populate(s);
            assertTrue(s.call(() -> Files.exists(s.bpffs().resolve("dir/link"))));
            assertEquals(4, s.call(() -> s.rtnl().links().size()), "lo, the veth pair and the dummy");
        } finally {
            s.close();
        }
        assertNothingLeft(s);
    }

    @Test
    void aSessionThatThrewMidwayIsCleanedUpToo() throws Exception {
        RealKernel.require();
        NetnsSession[] seen = new NetnsSession[1];
        ErrnoException thrown = assertThrows(ErrnoException.class, () -> {
            try (NetnsSession s = NetnsSession.start()) {
                seen[0] = s;
                populate(s);
                s.call(() -> {
                    s.rtnl().addDummy("tcxsim-c2"); // taken: EEXIST aborts the "test"
                    return null;
                });
            }
        });
        assertEquals(17, thrown.errno());
        assertTrue(seen[0].isClosed());
        assertNothingLeft(seen[0]);
    }

    @Test
    void closeIsIdempotent() throws Exception {
        RealKernel.require();
        NetnsSession s = NetnsSession.start();
        s.close();
        s.close();
        assertNothingLeft(s);
    }
}
