package dev.tcxsim.cli.render;

import dev.tcxsim.cli.render.NetPicture.ClassicFilter;
import dev.tcxsim.cli.render.NetPicture.Device;
import dev.tcxsim.cli.render.NetPicture.Fate;
import dev.tcxsim.cli.render.NetPicture.Hook;
import dev.tcxsim.cli.render.NetPicture.Outcome;
import dev.tcxsim.cli.render.NetPicture.PacketPath;
import dev.tcxsim.cli.render.NetPicture.Step;
import dev.tcxsim.cli.render.NetPicture.TcxProg;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.tcxsim.kernel.TcDirection.EGRESS;
import static dev.tcxsim.kernel.TcDirection.INGRESS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChainSvgTest {
    private static final String SVG_NS = "http://www.w3.org/2000/svg";

    private static List<Element> elements(Document doc, String tag) {
        NodeList list = doc.getElementsByTagNameNS(SVG_NS, tag);
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < list.getLength(); i++) {
            out.add((Element) list.item(i));
        }
        return out;
    }

    /** The y of the text element whose content is exactly {@code s} inside an element of the class. */
    private static double textY(Document doc, String cssClass, String s) {
        for (Element t : elements(doc, "text")) {
            Element g = (Element) t.getParentNode();
            if (t.getTextContent().equals(s) && g.getAttribute("class").equals(cssClass)) {
                return Double.parseDouble(t.getAttribute("y"));
            }
        }
        throw new AssertionError("no text '" + s + "' in a ." + cssClass);
    }

    private static double deviceX(Document doc, String name) {
        for (Element g : elements(doc, "g")) {
            if (name.equals(g.getAttribute("data-device"))) {
                Element box = (Element) g.getElementsByTagNameNS(SVG_NS, "rect").item(0);
                return Double.parseDouble(box.getAttribute("x"));
            }
        }
        throw new AssertionError("no device " + name);
    }

    @Test
    void isWellFormedAndSelfContained() throws Exception {
        for (NetPicture p : List.of(SamplePictures.withPath(), SamplePictures.withoutPath())) {
            String svg = ChainSvg.render(p);
            Document doc = ChainChromiumTest.parseXml(svg);
            assertEquals("svg", doc.getDocumentElement().getLocalName());
            assertFalse(svg.contains("<script"), "no scripts");
            assertFalse(svg.contains("href"), "no links to other files");
            assertFalse(svg.contains("@import") || svg.contains("@font-face"), "no fonts or styles from elsewhere");
            assertFalse(svg.contains("<image") || svg.contains("<foreignObject"), "no embedded documents");
            Matcher urls = Pattern.compile("url\\(([^)]*)\\)").matcher(svg);
            while (urls.find()) {
                assertTrue(urls.group(1).startsWith("#"), "only references inside the file: " + urls.group());
            }
            assertEquals(1, svg.split("http", -1).length - 1, "the only URL is the SVG namespace");
        }
    }

    @Test
    void everyProgramIsLabelledWithNameIdOwnerAndPosition() throws Exception {
        Document doc = ChainChromiumTest.parseXml(ChainSvg.render(SamplePictures.withoutPath()));
        List<String> texts = elements(doc, "text").stream().map(Element::getTextContent).toList();
        for (String name : SamplePictures.PROGRAM_NAMES) {
            assertTrue(texts.contains(name), name + " is drawn");
        }
        assertTrue(texts.contains("id 12 · link 3"), texts.toString());
        assertTrue(texts.contains("id 14 · plain"), texts.toString());
        assertTrue(texts.contains("id 22 · plain"), texts.toString());
        assertTrue(texts.contains("prio 1 · handle 0x1 · id 30 · da"), texts.toString());
        assertTrue(texts.contains("prio 2 · handle 0x2 · id 31"), "no 'da' for a filter without it: " + texts);
        assertTrue(texts.contains("tcx chain · revision 6"), texts.toString());
        long tcxBoxes = elements(doc, "g").stream().filter(g -> g.getAttribute("class").equals("tcx-prog")).count();
        long classicBoxes = elements(doc, "g").stream().filter(g -> g.getAttribute("class").equals("classic-filter"))
                .count();
        assertEquals(5, tcxBoxes);
        assertEquals(4, classicBoxes);
    }

    @Test
    void chainsAreDrawnTopToBottomInExecutionOrderEgressAboveIngress() throws Exception {
        Document doc = ChainChromiumTest.parseXml(ChainSvg.render(SamplePictures.withoutPath()));
        double count = textY(doc, "tcx-prog", "count");
        double policy = textY(doc, "tcx-prog", "policy_v2");
        double mark = textY(doc, "tcx-prog", "mark_egress");
        assertTrue(count < policy && policy < mark, count + " " + policy + " " + mark);
        double fw = textY(doc, "tcx-prog", "fw_ingress");
        double audit = textY(doc, "classic-filter", "cls_audit");
        double fallback = textY(doc, "classic-filter", "cls_fallback");
        assertTrue(fw < audit && audit < fallback, "classic filters after the tcx chain, in prio order");
        assertTrue(mark < fw, "egress row above ingress row");
    }

    @Test
    void vethPeersStandSideBySideWithACable() throws Exception {
        // the sample lists veth0, dum0, veth1: the peer is moved next to veth0
        Document doc = ChainChromiumTest.parseXml(ChainSvg.render(SamplePictures.withoutPath()));
        double veth0 = deviceX(doc, "veth0");
        double veth1 = deviceX(doc, "veth1");
        double dum0 = deviceX(doc, "dum0");
        assertTrue(veth0 < veth1 && veth1 < dum0, veth0 + " " + veth1 + " " + dum0);
        assertEquals(ChainLayout.DEV_W + ChainLayout.PAIR_GAP, veth1 - veth0);
        boolean cable = elements(doc, "line").stream().anyMatch(l ->
                Double.parseDouble(l.getAttribute("x1")) == veth0 + ChainLayout.DEV_W
                        && Double.parseDouble(l.getAttribute("x2")) == veth1);
        assertTrue(cable, "a line joins the pair");
        assertTrue(elements(doc, "text").stream().anyMatch(t -> t.getTextContent().equals("veth pair")));
    }

    @Test
    void packetPathNumbersEveryStepAndEndsAtTheFate() throws Exception {
        Document doc = ChainChromiumTest.parseXml(ChainSvg.render(SamplePictures.withPath()));
        Element path = elements(doc, "g").stream().filter(g -> g.getAttribute("class").equals("packet-path"))
                .findFirst().orElseThrow();
        List<String> texts = new ArrayList<>();
        NodeList ts = path.getElementsByTagNameNS(SVG_NS, "text");
        for (int i = 0; i < ts.getLength(); i++) {
            texts.add(ts.item(i).getTextContent());
        }
        for (int step = 1; step <= 8; step++) {
            assertTrue(texts.contains(Integer.toString(step)), "badge " + step + " in " + texts);
        }
        assertTrue(texts.containsAll(List.of("-1 TCX_NEXT", "7 TCX_REDIRECT", "0 TC_ACT_OK")), texts.toString());
        assertTrue(texts.containsAll(List.of("xmit", "→ veth1 ingress", "redirect", "→ dum0 egress")), texts.toString());
        assertTrue(texts.contains("transmitted on dum0"), texts.toString());
        // 6 program steps: 5 arrows between them, and one into the fate
        assertEquals(6, path.getElementsByTagNameNS(SVG_NS, "path").getLength());
    }

    @Test
    void namesAreEscapedAndLongNamesShortenedWithTheFullNameInATooltip() throws Exception {
        String evil = "<b>&\"x'</b>";
        String longName = "a_program_name_far_too_long_for_its_box";
        Device d = new Device(7, "eth&0", "dummy", null, Hook.empty(), new Hook(2,
                List.of(new TcxProg(0, 1, evil, 0), new TcxProg(1, 2, longName, 4)),
                List.of(new ClassicFilter(1, 1, 3, "c<1>", true))));
        String svg = ChainSvg.render(new NetPicture("title <with> & marks", List.of(d)));
        Document doc = ChainChromiumTest.parseXml(svg);
        List<String> texts = elements(doc, "text").stream().map(Element::getTextContent).toList();
        assertTrue(texts.contains(evil), texts.toString());
        assertTrue(texts.contains("eth&0"), texts.toString());
        assertTrue(texts.contains("c<1>"), texts.toString());
        assertTrue(texts.stream().anyMatch(t -> t.startsWith("a_program_name_far_too") && t.endsWith("…")
                && t.length() < longName.length()), texts.toString());
        List<String> titles = elements(doc, "title").stream().map(Element::getTextContent).toList();
        assertTrue(titles.contains(longName + " (id 2, link 4, position 1)"), titles.toString());
        assertEquals("title <with> & marks", titles.getFirst());
    }

    @Test
    void stepsFarApartAndUnknownProgramsStillGetArrows() throws Exception {
        // veth0 -> dum0 passes over veth1 (not adjacent); prog 99 is no longer attached: drawn at its hook
        NetPicture p = new NetPicture("far", SamplePictures.devices(), new PacketPath(List.of(
                Step.tcx("veth0", EGRESS, 12, "count", 3, -1, "TCX_NEXT"),
                Step.redirect("veth0", EGRESS, "dum0 ingress"),
                Step.tcx("dum0", INGRESS, 99, "gone", 0, 2, "TCX_DROP")),
                new Fate(Outcome.DROPPED, "dum0", "dropped: TC_INGRESS")));
        Document doc = ChainChromiumTest.parseXml(ChainSvg.render(p));
        List<Element> arrows = elements(doc, "path").stream()
                .filter(e -> e.getAttribute("marker-end").equals("url(#arrowhead)")).toList();
        assertEquals(2, arrows.size());
        String over = arrows.getFirst().getAttribute("d");
        assertEquals(6, over.split("[ML]").length - 1, "six points: out, gap, up, across the top, down, in: " + over);
        List<String> texts = elements(doc, "text").stream().map(Element::getTextContent).toList();
        assertTrue(texts.contains("2 TCX_DROP"), texts.toString());
        assertTrue(texts.contains("dropped: TC_INGRESS"), texts.toString());
    }

    @Test
    void longVerdictsAreShortenedOnTheBoxAndWholeInTheTooltip() throws Exception {
        NetPicture p = new NetPicture("pass", SamplePictures.devices(), new PacketPath(List.of(
                Step.tcx("veth1", INGRESS, 21, "fw_ingress", 7, 0, "TC_ACT_OK → TCX_PASS"),
                Step.tcx("veth0", EGRESS, 14, "policy_v2", 0, 2, "TCX_DROP: fault: r1 out of bounds")),
                new Fate(Outcome.DROPPED, "veth0", "dropped on veth0: NO_SOCKET: nothing bound to udp 10.0.0.2:5678")));
        Document doc = ChainChromiumTest.parseXml(ChainSvg.render(p));
        List<String> texts = elements(doc, "text").stream().map(Element::getTextContent).toList();
        assertTrue(texts.contains("0 TCX_PASS"), texts.toString());
        assertTrue(texts.contains("2 TCX_DROP"), texts.toString());
        assertTrue(texts.contains("dropped on veth0"), "the fate's what: " + texts);
        assertTrue(texts.contains("NO_SOCKET: nothing bound to udp 10.0.0.…"), "the fate's why, cut: " + texts);
        List<String> titles = elements(doc, "title").stream().map(Element::getTextContent).toList();
        assertTrue(titles.contains("step 1: TC_ACT_OK → TCX_PASS"), titles.toString());
        assertTrue(titles.contains("step 2: TCX_DROP: fault: r1 out of bounds"), titles.toString());
        assertTrue(titles.contains("dropped on veth0: NO_SOCKET: nothing bound to udp 10.0.0.2:5678"), titles.toString());
    }
}
