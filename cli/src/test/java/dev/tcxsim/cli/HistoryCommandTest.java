package dev.tcxsim.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static dev.tcxsim.cli.ExplainCommandTest.OBJ;
import static dev.tcxsim.cli.ExplainCommandTest.assumeKernel;
import static dev.tcxsim.cli.ExplainCommandTest.ok;
import static dev.tcxsim.cli.ExplainCommandTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code net history dev NAME} on both kernels: every revision, who made it, failures with their rule. */
class HistoryCommandTest {
    @ParameterizedTest
    @ValueSource(strings = {"sim", "linux"})
    void historyListsEveryRevisionAndEveryRefusal(String kernel) throws Exception {
        assumeKernel(kernel);
        try (Session s = Session.open(kernel)) {
            ok(s, "dev add veth0 type veth peer veth1");
            ok(s, "prog load " + OBJ + " count name count");
            ok(s, "net attach tcx_ingress name count dev veth1 link as agent");
            int linkId = s.proc.linkInfo(s.linkNames.get("agent")).id();
            ok(s, "net attach tcx_ingress name audit dev veth1 before link agent");
            assertEquals(1, run(s, "net attach tcx_ingress name deny dev veth1 expected_revision 1").code());
            ok(s, "link update link agent name allow");
            ok(s, "net attach tcx_egress name deny dev veth1");
            ok(s, "net detach tcx_egress name deny dev veth1");
            ok(s, "link close link agent");

            String out = ok(s, "net history dev veth1").out();
            List<String> heads = out.lines().filter(l -> l.startsWith("  revision ")).toList();
            List<String> expected = List.of(
                    "  revision 2  link create by link " + linkId,
                    "  revision 3  attach by process tcxsim",
                    "  revision 3  FAILED attach by process tcxsim: ESTALE: expected_revision 1 but the hook is at revision 3",
                    "  revision 4  link update by link " + linkId,
                    "  revision 5  link auto-detach (close of the last reference) by link " + linkId,
                    "  revision 2  attach by process tcxsim",
                    "  revision 1  detach by process tcxsim");
            // the first line of each hook is the device's creation (revision 1, empty)
            List<String> changes = heads.stream().filter(l -> !l.contains("device created")).toList();
            assertEquals(expected.size(), changes.size(), out);
            for (int i = 0; i < expected.size(); i++) {
                assertTrue(changes.get(i).startsWith(expected.get(i)), "line " + i + ": " + changes.get(i) + "\n" + out);
            }
            assertTrue(out.contains("      chain: audit (prog "), out);
            assertTrue(out.contains("someone changed the chain since you queried it"), out);
            assertTrue(out.indexOf("veth1 tcx_ingress") < out.indexOf("veth1 tcx_egress"), out);

            String json = run(s, "-j net history dev veth1").out();
            assertTrue(json.contains("\"errno\":\"ESTALE\"") || json.contains("\"errno\": \"ESTALE\""), json);

            ok(s, "dev del veth0");
            String gone = ok(s, "net history dev veth1").out();
            assertTrue(gone.contains("device event (device removed"), gone);
            var bad = run(s, "net history dev nosuch0");
            assertEquals(2, bad.code());
            assertTrue(bad.err().contains("no device 'nosuch0'"), bad.err());
        }
    }
}
