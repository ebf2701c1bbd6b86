package dev.tcxsim.cli.render;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChainHtmlTest {
    private final String html = ChainHtml.render(SamplePictures.withPath());

    @Test
    void embedsThePictureAndFetchesNothing() throws Exception {
        assertTrue(html.startsWith("<!DOCTYPE html>"), html.substring(0, 40));
        assertTrue(html.contains("Content-Security-Policy\" content=\"default-src 'none'"), "loads are forbidden");
        assertFalse(html.contains("<script"), "no scripts");
        assertFalse(html.contains("<link") || html.contains("src=") || html.contains("href"), "nothing from elsewhere");
        assertEquals(1, html.split("http://", -1).length - 1, "the only URL is the SVG namespace");
        assertFalse(html.contains("https://"));
        int start = html.indexOf("<svg");
        int end = html.indexOf("</svg>") + "</svg>".length();
        assertTrue(start > 0 && end > start, "an inline svg");
        ChainChromiumTest.parseXml(html.substring(start, end));
    }

    @Test
    void everyProgramHasOneRowWithItsIdAndName() {
        Matcher m = Pattern.compile("<tr id=\"prog-(\\d+)\">.*?<td class=\"name\">([^<]*)</td>").matcher(html);
        List<String> rows = new ArrayList<>();
        while (m.find()) {
            rows.add(m.group(1) + "=" + m.group(2));
        }
        // devices in the picture's order, egress before ingress, as the picture draws them
        assertEquals(List.of("12=count", "14=policy_v2", "15=mark_egress", "20=legacy_ingress", "40=tc_shaper",
                "21=fw_ingress", "22=redir_to_dummy", "30=cls_audit", "31=cls_fallback"), rows);
        assertTrue(html.contains("veth0 egress tcx position 1 (plain)"), "where policy_v2 is attached");
        assertTrue(html.contains("veth1 ingress classic prio 2 handle 0x2;") || html.contains(
                "veth1 ingress classic prio 2 handle 0x2</td>"), "cls_fallback has no da");
    }

    @Test
    void chainTableListsProgramsInOrderAndThePathItsSteps() {
        int count = html.indexOf("<td class=\"name\">count</td><td class=\"num\">12</td>");
        int policy = html.indexOf("<td class=\"name\">policy_v2</td><td class=\"num\">14</td>");
        int mark = html.indexOf("<td class=\"name\">mark_egress</td><td class=\"num\">15</td>");
        assertTrue(count > 0 && count < policy && policy < mark, count + " " + policy + " " + mark);
        String path = html.substring(html.indexOf("<table id=\"path\">"));
        assertTrue(path.contains("<td>tcx prog 22 &quot;redir_to_dummy&quot; (plain)</td><td>7 TCX_REDIRECT</td>"),
                path);
        assertTrue(path.contains("printk: count: seen 1 packets; map write: counts[0]=1"), path);
        assertTrue(path.contains("<td>redirect → dum0 egress</td>"), path);
        assertTrue(path.contains("<span class=\"fate good\" id=\"fate\">transmitted on dum0</span>"), path);
    }

    @Test
    void withoutAPathThereIsNoPathTable() {
        String page = ChainHtml.render(SamplePictures.withoutPath());
        assertFalse(page.contains("id=\"path\""));
        assertFalse(page.contains("packet-path"));
        assertTrue(page.contains("id=\"prog-40\""));
    }
}
