package dev.tcxsim.conformance.harness;

import dev.tcxsim.kernel.LinkInfo;
import dev.tcxsim.kernel.QueryResult;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TranscriptTest {
    @Test
    void idsAreRenamedInOrderOfFirstAppearanceSoBackendsCompare() {
        Transcript sim = new Transcript();
        Transcript linux = new Transcript();
        // The same relations with different raw ids render identically.
        String a = sim.render("progQuery", new QueryResult(0, 0, 2, 3, new int[] {7, 5}, new int[] {0, 2}));
        String b = linux.render("progQuery", new QueryResult(0, 0, 2, 3, new int[] {912, 433}, new int[] {0, 88}));
        assertEquals(a, b);
        assertEquals("count=2 revision=3 progs=[P1, P2] links=[0, L1]", a);
        assertEquals("link L1 type=11 prog=P2 ifindex=4 attach_type=46",
                sim.render("linkInfo", new LinkInfo(2, 11, 5, 4, 46)));
    }

    @Test
    void differentRelationsRenderDifferently() {
        Transcript sim = new Transcript();
        Transcript linux = new Transcript();
        sim.render("progQuery", new QueryResult(0, 0, 2, 3, new int[] {1, 2}, new int[] {0, 0}));
        linux.render("progQuery", new QueryResult(0, 0, 2, 3, new int[] {10, 20}, new int[] {0, 0}));
        // Now the order is swapped on one side only.
        String a = sim.render("progQuery", new QueryResult(0, 0, 2, 4, new int[] {2, 1}, new int[] {0, 0}));
        String b = linux.render("progQuery", new QueryResult(0, 0, 2, 4, new int[] {10, 20}, new int[] {0, 0}));
        assertTrue(!a.equals(b), a + " vs " + b);
    }

    @Test
    void fdsAreNotComparedButIfindexesAre() {
        Transcript t = new Transcript();
        assertEquals("fd", t.render("progLoad", 5));
        assertEquals("7", t.render("addDummy", 7));
        assertEquals("ok", t.render("progAttach", null));
    }

    @Test
    void sideBySideMarksTheDifferingLine() {
        String text = Comparison.sideBySide("Case#x", "sim", List.of("a -> ok", "b -> EEXIST"), "linux",
                List.of("a -> ok", "b -> ESTALE"));
        assertTrue(text.contains("≠ b -> EEXIST"), text);
        assertTrue(text.contains("| b -> ESTALE"), text);
        assertTrue(text.lines().filter(l -> l.startsWith("≠")).count() == 1, text);
    }
}
