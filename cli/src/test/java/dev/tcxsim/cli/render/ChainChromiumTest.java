package dev.tcxsim.cli.render;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

import javax.imageio.ImageIO;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Opens the rendered SVG and HTML in headless Chromium (Debian's package, installed by
 * scripts/setup.sh): the browser must load them, draw a picture that is not blank, and show every
 * program name in the DOM it built. Set {@code -Dtcxsim.render.keep=DIR} to keep the files and
 * screenshots for a look.
 */
class ChainChromiumTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final long TIMEOUT_SECONDS = 90;
    private static final List<String> ERROR_TEXT = List.of("This page contains the following errors",
            "error on line", "ERR_", "This site can", "is not available", "Aw, Snap");

    private Path work;

    @BeforeEach
    void needChromium() throws IOException {
        if (!Files.isExecutable(CHROMIUM)) {
            String why = CHROMIUM + " is not installed (scripts/setup.sh installs Debian's chromium)";
            if (uid() == 0) {
                throw new AssertionError(why + "; as root this test must run: run scripts/setup.sh");
            }
            System.out.println("ChainChromiumTest skipped: " + why);
            Assumptions.abort(why);
        }
        work = Files.createTempDirectory("tcxsim-render");
    }

    private static int uid() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }

    @AfterEach
    void cleanUp() throws IOException {
        if (work == null) {
            return;
        }
        String keep = System.getProperty("tcxsim.render.keep");
        try (Stream<Path> files = Files.walk(work)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                if (keep != null && Files.isRegularFile(p) && !p.startsWith(work.resolve("profile"))) {
                    Files.createDirectories(Path.of(keep));
                    Files.copy(p, Path.of(keep).resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
                Files.delete(p);
            }
        }
    }

    private record Result(int exit, String stdout) {
    }

    private Result chromium(String... args) throws IOException, InterruptedException {
        Path profile = Files.createDirectories(work.resolve("profile"));
        List<String> cmd = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + profile));
        cmd.addAll(List.of(args));
        Path stdout = work.resolve("chromium.out");
        Path stderr = work.resolve("chromium.err");
        Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("chromium did not finish within " + TIMEOUT_SECONDS + " s: " + cmd);
        }
        String out = Files.readString(stdout, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "chromium failed; stderr:\n" + Files.readString(stderr));
        return new Result(p.exitValue(), out);
    }

    private void screenshotIsAPicture(Path page, String name) throws Exception {
        Path png = work.resolve(name + ".png");
        chromium("--screenshot=" + png, "--window-size=1400,900", page.toUri().toString());
        assertTrue(Files.size(png) > 0, "no screenshot written");
        BufferedImage img = ImageIO.read(png.toFile());
        assertTrue(img != null, "the screenshot is not a PNG ImageIO can read");
        assertEquals(1400, img.getWidth());
        assertEquals(900, img.getHeight());
        Set<Integer> colours = new HashSet<>();
        long notWhite = 0;
        for (int y = 0; y < img.getHeight(); y += 2) {
            for (int x = 0; x < img.getWidth(); x += 2) {
                int rgb = img.getRGB(x, y) & 0xffffff;
                colours.add(rgb);
                if (rgb != 0xffffff) {
                    notWhite++;
                }
            }
        }
        assertTrue(colours.size() > 1, "the screenshot is one colour");
        assertTrue(colours.size() > 20, "expected boxes, text and colours, found " + colours.size() + " colours");
        assertTrue(notWhite > img.getWidth() * img.getHeight() / 4 / 50, "almost nothing drawn: " + notWhite);
    }

    private String domOf(Path page) throws Exception {
        String dom = chromium("--dump-dom", page.toUri().toString()).stdout();
        for (String error : ERROR_TEXT) {
            assertFalse(dom.contains(error), "the page shows an error (" + error + "):\n" + dom);
        }
        for (String name : SamplePictures.PROGRAM_NAMES) {
            assertTrue(dom.contains(name), name + " is missing from the DOM");
        }
        return dom;
    }

    @Test
    void svgLoadsAndShowsEveryProgram() throws Exception {
        String svg = ChainSvg.render(SamplePictures.withPath());
        Document doc = parseXml(svg);
        assertEquals("svg", doc.getDocumentElement().getLocalName());
        Path file = Files.writeString(work.resolve("chain.svg"), svg);
        screenshotIsAPicture(file, "chain-svg");
        String dom = domOf(file);
        assertTrue(dom.contains("<svg"), "Chromium built an SVG document");
        assertTrue(dom.contains("transmitted on dum0"), "the fate is drawn");
    }

    @Test
    void svgWithoutPathLoads() throws Exception {
        Path file = Files.writeString(work.resolve("chain-nopath.svg"), ChainSvg.render(SamplePictures.withoutPath()));
        parseXml(Files.readString(file));
        screenshotIsAPicture(file, "chain-nopath-svg");
        domOf(file);
    }

    @Test
    void htmlLoadsAndShowsEveryProgramWithItsId() throws Exception {
        Path file = Files.writeString(work.resolve("chain.html"), ChainHtml.render(SamplePictures.withPath()));
        screenshotIsAPicture(file, "chain-html");
        String dom = domOf(file);
        for (int id : new int[] {12, 14, 15, 20, 21, 22, 30, 31, 40}) {
            assertTrue(dom.contains("id=\"prog-" + id + "\""), "row prog-" + id + " is missing");
        }
        assertTrue(dom.contains("<svg"), "the picture is embedded");
        assertTrue(dom.contains("transmitted on dum0"));
    }

    static Document parseXml(String xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }
}
