package dev.windowkv.plots;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScoreVsValueSpanPlotTest {
    @TempDir
    Path dir;

    static SweepRow row(String policy, String label, Integer budget, Integer span, double score) {
        return new SweepRow("m", "vector", policy, label, Map.of(), budget, "niah_single", "QA", 1024, 0.5, 1, 0,
                score, new int[] {budget == null ? 1024 : budget}, 10, 100, 0.1, 1, 1, 1, 8, "x", List.of("x"), null, null, null, null, null, span);
    }

    static List<SweepRow> rows() {
        List<SweepRow> rows = new ArrayList<>();
        for (int span : new int[] {1, 4, 16}) {
            rows.add(row("full", "FullKV", null, span, 1));
            rows.add(row("full", "FullKV", null, span, 1));
            // SnapKV loses long values; a second budget and an old row without a span must not count
            rows.add(row("snapkv", "SnapKV", 128, span, span < 8 ? 1 : 0));
            rows.add(row("snapkv", "SnapKV", 128, span, span < 8 ? 1 : 0.5));
            rows.add(row("snapkv", "SnapKV", 256, span, 1));
            rows.add(row("windowkv", "WindowKV (max)", 128, span, 1));
        }
        rows.add(row("snapkv", "SnapKV", 128, null, 0));
        return rows;
    }

    @Test
    void oneLinePerPolicyAtTheBudgetWithFullKvAsTheCeiling() {
        List<SweepRow> rows = rows();
        var chart = ScoreVsValueSpanPlot.chart(rows, 128, PolicyPalette.of(rows), 800, 600);
        assertEquals(List.of("FullKV", "SnapKV", "WindowKV (max)"), List.copyOf(chart.getSeriesMap().keySet()));
        var snap = chart.getSeriesMap().get("SnapKV");
        assertArrayEquals(new double[] {0, 2, 4}, snap.getXData(), 1e-12, "log2 of the spans");
        assertArrayEquals(new double[] {1, 1, 0.25}, snap.getYData(), 1e-12, "mean per span, budget 128 only");
        assertArrayEquals(new double[] {1, 1, 1}, chart.getSeriesMap().get("FullKV").getYData(), 1e-12);
        assertTrue(chart.getTitle().contains("budget 128"), chart.getTitle());
    }

    @Test
    void noFigureWithoutTwoSpans() {
        List<SweepRow> one = rows().stream().filter(r -> r.valueSpan() == null || r.valueSpan() == 4).toList();
        assertNull(ScoreVsValueSpanPlot.chart(one, 128, PolicyPalette.of(one), 800, 600));
        assertEquals(128, ScoreVsValueSpanPlot.budget(rows(), null), "the smallest budget by default");
    }

    @Test
    void theSweepFiguresIncludeItAndAnOldRowReadsWithoutASpan() throws Exception {
        Path results = dir.resolve("results.jsonl");
        ObjectMapper json = new ObjectMapper();
        StringBuilder lines = new StringBuilder();
        for (SweepRow r : rows()) lines.append(json.writeValueAsString(r)).append('\n');
        // a row as written before spans were recorded: no valueSpan key at all
        String old = json.writeValueAsString(row("full", "FullKV", null, null, 1)).replace(",\"valueSpan\":null", "");
        assertTrue(!old.contains("valueSpan"), old);
        lines.append(old).append('\n');
        Files.writeString(results, lines);
        List<SweepRow> read = ResultsReader.readSweep(results);
        assertNull(read.getLast().valueSpan());
        assertEquals(16, read.get(12).valueSpan());
        List<Path> files = Plots.drawAll(results, dir.resolve("plots"));
        assertTrue(files.stream().anyMatch(f -> f.getFileName().toString().equals("score-vs-value-span-b128.png")), files.toString());
    }

    @Test
    void thePerTaskSummaryKeepsValueSpansApart() {
        List<SweepRow> rows = List.of(row("snapkv", "SnapKV", 128, 4, 1.0), row("snapkv", "SnapKV", 128, 4, 1.0),
                row("snapkv", "SnapKV", 128, 8, 0.0));
        List<ScoreSummary.Row> perTask = ScoreSummary.of(rows).rows();
        org.junit.jupiter.api.Assertions.assertEquals(2, perTask.size(), perTask.toString());
        org.junit.jupiter.api.Assertions.assertEquals("niah_single (4-token value)", perTask.get(0).task());
        org.junit.jupiter.api.Assertions.assertEquals(1.0, perTask.get(0).mean());
        org.junit.jupiter.api.Assertions.assertEquals(0.0, perTask.get(1).mean());
    }
}
