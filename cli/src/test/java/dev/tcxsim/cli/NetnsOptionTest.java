package dev.tcxsim.cli;

import dev.tcxsim.conformance.harness.Backend;
import dev.tcxsim.linux.LinuxKernel;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code --netns NAME} keeps a named namespace across invocations on the real kernel; {@code netns del} removes it. */
class NetnsOptionTest {
    @Test
    void aNamedNamespaceKeepsDevicesAndAttachmentsUntilDeleted() throws Exception {
        assumeTrue(Backend.LINUX.whyUnavailable() == null, "the linux kernel backend is not available here");
        String name = "tcxsim-clitest-" + ProcessHandle.current().pid();
        try {
            assertFalse(LinuxKernel.namedExists(name));
            MainTest.Run add = MainTest.run("--kernel", "linux", "--netns", name, "dev", "add", "d0");
            assertEquals(0, add.code(), add.err());
            MainTest.Run load = MainTest.run("--kernel", "linux", "--netns", name, "prog", "load",
                    ExplainCommandTest.OBJ, "count", "name", "count");
            assertEquals(0, load.code(), load.err());
            MainTest.Run attach = MainTest.run("--kernel", "linux", "--netns", name, "net", "attach", "tcx_ingress",
                    "pinned", "count", "dev", "d0");
            assertEquals(0, attach.code(), attach.err());
            assertTrue(LinuxKernel.namedExists(name), "kept at exit");
            MainTest.Run show = MainTest.run("--kernel", "linux", "--netns", name, "net", "show", "dev", "d0");
            assertEquals(0, show.code(), show.err());
            assertTrue(show.out().contains("name count  plain"), show.out());

            MainTest.Run del = MainTest.run("netns", "del", name);
            assertEquals(0, del.code(), del.err());
            assertFalse(LinuxKernel.namedExists(name));
            MainTest.Run again = MainTest.run("netns", "del", name);
            assertEquals(1, again.code());
            assertTrue(again.err().contains("no namespace '" + name + "'"), again.err());
        } finally {
            if (LinuxKernel.namedExists(name)) {
                LinuxKernel.deleteNamed(name);
            }
        }
    }

    @Test
    void netnsNeedsTheLinuxKernelAndAGoodName() {
        MainTest.Run sim = MainTest.run("--netns", "x", "dev", "show");
        assertEquals(2, sim.code());
        assertTrue(sim.err().contains("--netns works only with --kernel linux"), sim.err());
        assumeTrue(Backend.LINUX.whyUnavailable() == null, "the linux kernel backend is not available here");
        MainTest.Run bad = MainTest.run("--kernel", "linux", "--netns", "../evil", "dev", "show");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("bad namespace name '../evil'"), bad.err());
    }
}
