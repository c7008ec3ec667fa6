package dev.windowkv.plots;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Draws every figure from a synthetic sweep and bench report, and checks the files are real figures. */
class PlotsTest {

    /** Set -Dplots.preview=DIR to keep the figures for a look; otherwise they go to a temp dir. */
    private static Path outDir(Path tmp) {
        String preview = System.getProperty("plots.preview");
        return preview == null || preview.isBlank() ? tmp.resolve("figures") : Path.of(preview);
    }

    @Test
    void drawAllWritesEveryFigureTheDataAllows(@TempDir Path tmp) throws Exception {
        Path results = tmp.resolve("results");
        Files.createDirectories(results);
        ObjectMapper json = new ObjectMapper();
        StringBuilder lines = new StringBuilder();
        for (SweepRow r : SyntheticSweep.rows()) {
            lines.append(json.writeValueAsString(r)).append('\n');
        }
        Files.writeString(results.resolve("sweep.jsonl"), lines);
        json.writeValue(results.resolve("bench.json").toFile(), SyntheticSweep.bench());
        Files.writeString(results.resolve(Plots.SWEEP_CONFIG), "{\"name\": \"synthetic\"}");

        Path out = outDir(tmp);
        List<Path> written = Plots.drawAll(results, out, PlotOptions.defaults().withSize(900, 600));

        List<String> names = written.stream().map(p -> p.getFileName().toString()).sorted().toList();
        List<String> expected = List.of(
                "backend-throughput.png", "backend-throughput.svg",
                "layer-budget-b128-len8192.png", "layer-budget-b128-len8192.svg",
                "niah-fullkv-full.png", "niah-fullkv-full.svg",
                "niah-h2o-b128.png", "niah-h2o-b128.svg",
                "niah-pyramidkv-b128.png", "niah-pyramidkv-b128.svg",
                "niah-snapkv-b128.png", "niah-snapkv-b128.svg",
                "niah-streamingllm-b128.png", "niah-streamingllm-b128.svg",
                "niah-windowkv-max-b128.png", "niah-windowkv-max-b128.svg",
                "niah-windowkv-mean-b128.png", "niah-windowkv-mean-b128.svg",
                "score-vs-kv-mib-aggregation.png", "score-vs-kv-mib-aggregation.svg",
                "score-vs-kv-mib-qa.png", "score-vs-kv-mib-qa.svg",
                "score-vs-kv-percent-aggregation.png", "score-vs-kv-percent-aggregation.svg",
                "score-vs-kv-percent-qa.png", "score-vs-kv-percent-qa.svg",
                "summary.csv");
        assertEquals(expected, names);
        for (Path p : written) {
            assertTrue(Files.size(p) > 0, p + " is empty");
            String name = p.getFileName().toString();
            if (name.endsWith(".png")) {
                assertPng(p, 900, 600);
            } else if (name.endsWith(".svg")) {
                assertSvg(p);
            }
        }
        String qa = Files.readString(out.resolve("score-vs-kv-mib-qa.svg"));
        assertTrue(qa.contains("<title>Sweep synthetic \u00b7 QA tasks \u00b7 Llama-3.2-1B-Instruct</title>"), "title in SVG");
        assertTrue(qa.contains("\u00b1 1 s.e."), "error bars named");
        assertTrue(qa.contains("WindowKV (max)") && qa.contains("SnapKV") && qa.contains("FullKV"), "legend in SVG");
        assertTrue(qa.contains("KV cache (MiB)"), "axis title in SVG");
        assertTrue(Files.readString(out.resolve("score-vs-kv-percent-qa.svg")).contains("KV cache (% of FullKV)"));
        String bench = Files.readString(out.resolve("backend-throughput.svg"));
        assertTrue(bench.contains("tornado (NVIDIA H100)") && bench.contains("panel Prefill") && bench.contains("panel Decode"));
        String niah = Files.readString(out.resolve("niah-windowkv-max-b128.svg"));
        assertTrue(niah.contains("Sweep synthetic \u00b7 Needle in a haystack \u00b7 WindowKV (max) \u00b7 budget 128"));
        assertTrue(niah.contains("colour bar: Mean score"), "colour bar title in the SVG description");
    }

    @Test
    void singleFiguresHonourTheRequestedSize(@TempDir Path tmp) throws Exception {
        List<SweepRow> rows = SyntheticSweep.rows();
        PolicyPalette palette = PolicyPalette.of(rows);
        var chart = LayerBudgetPlot.chart(rows, 256, 4096, palette, 640, 400);
        assertNotNull(chart);
        List<Path> files = ChartFiles.writeFigure(chart, tmp, "profile");
        assertPng(files.get(0), 640, 400);
        assertSvg(files.get(1));
        assertTrue(Files.readString(files.get(1)).contains("Budget (256)"));
    }

    @Test
    void aSingleBenchFileIsEnough(@TempDir Path tmp) throws Exception {
        Path bench = tmp.resolve("bench-h100.json");
        new ObjectMapper().writeValue(bench.toFile(), SyntheticSweep.bench());
        List<Path> written = Plots.drawAll(bench, tmp.resolve("out"));
        assertEquals(List.of("backend-throughput.png", "backend-throughput.svg"),
                written.stream().map(p -> p.getFileName().toString()).toList());
        assertPng(written.getFirst(), PlotOptions.DEFAULT_WIDTH, PlotOptions.DEFAULT_HEIGHT);
    }

    static void assertPng(Path p, int width, int height) throws IOException {
        BufferedImage img = ImageIO.read(p.toFile());
        assertNotNull(img, p + " does not decode as an image");
        assertEquals(width, img.getWidth(), p + " width");
        assertEquals(height, img.getHeight(), p + " height");
    }

    static void assertSvg(Path p) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        // VectorGraphics2D writes the SVG 1.1 DOCTYPE; do not fetch the DTD over the network
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Document doc = f.newDocumentBuilder().parse(p.toFile());
        assertEquals("svg", doc.getDocumentElement().getLocalName(), p + " root element");
    }
}
