package dev.windowkv.plots;

import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the figures say besides the data: titles, offsets of coinciding lines, labels, caveats. */
class FigureAnnotationTest {

    private static SweepRow row(String policy, String label, Integer budget, String type, double score, double kv) {
        return new SweepRow("m", "java", policy, label, null, budget, "t", type, 1000, null, 1, 0, score,
                null, (long) (kv * 1000), 1000, kv, 0, 0, 0, 0, "", List.of());
    }

    private static SweepRow layerRow(String policy, String label, int... kept) {
        return new SweepRow("m", "java", policy, label, null, 128, "t", "QA", 2048, null, 1, 0, 1,
                kept, 1, 1, 0.1, 0, 0, 0, 0, "", List.of());
    }

    @Test
    void coincidingLinesAreSpreadAndSaySo() {
        List<SweepRow> rows = List.of(
                row("snapkv", "SnapKV", 64, "QA", 1.0, 0.05), row("snapkv", "SnapKV", 128, "QA", 1.0, 0.10),
                row("pyramidkv", "PyramidKV", 64, "QA", 1.0, 0.05), row("pyramidkv", "PyramidKV", 128, "QA", 1.0, 0.10),
                row("h2o", "H2O", 64, "QA", 0.2, 0.05), row("h2o", "H2O", 128, "QA", 0.3, 0.10),
                row("full", "FullKV", null, "QA", 1.0, 1.0));
        NotedXYChart chart = ScoreVsMemoryPlot.chart(rows, "QA", ScoreVsMemoryPlot.Axis.PERCENT_OF_FULL,
                PolicyPalette.of(rows), 900, 600, "demo");
        assertEquals("Sweep demo \u00b7 QA tasks \u00b7 m", chart.getTitle());
        assertEquals("Mean score (error bars: \u00b1 1 s.e.)", chart.getYAxisTitle());
        // SnapKV and PyramidKV coincide: one step apart, in legend order, about their true score
        assertArrayEquals(new double[]{0.99, 0.99}, chart.getSeriesMap().get("SnapKV").getYData(), 1e-12);
        assertArrayEquals(new double[]{1.01, 1.01}, chart.getSeriesMap().get("PyramidKV").getYData(), 1e-12);
        assertArrayEquals(new double[]{0.2, 0.3}, chart.getSeriesMap().get("H2O").getYData(), 1e-12);
        assertTrue(chart.noteTexts().contains("Coinciding lines\ndrawn 0.02 apart\n(shifted \u2264 \u00b10.01)"),
                chart.noteTexts().toString());
        assertTrue(chart.getSeriesMap().containsKey("Coinciding lines\ndrawn 0.02 apart\n(shifted \u2264 \u00b10.01)"),
                "said in the legend, where it covers no data");
        // budgets label the points: H2O's two, and one per budget for the two coinciding lines
        assertEquals(List.of("64", "128", "64", "128"),
                chart.noteTexts().stream().filter(t -> t.matches("\\d+")).toList());
        assertFalse(chart.noteTexts().stream().anyMatch(t -> t.startsWith("FullKV itself")));
    }

    @Test
    void linesThatDoNotCoincideStayWhereTheyAre() {
        List<SweepRow> rows = List.of(row("snapkv", "SnapKV", 64, "QA", 0.5, 0.05),
                row("pyramidkv", "PyramidKV", 64, "QA", 0.6, 0.05));
        NotedXYChart chart = ScoreVsMemoryPlot.chart(rows, "QA", ScoreVsMemoryPlot.Axis.PERCENT_OF_FULL,
                PolicyPalette.of(rows), 900, 600);
        assertEquals("QA tasks \u00b7 m", chart.getTitle(), "no sweep name, none in the title");
        assertArrayEquals(new double[]{0.5}, chart.getSeriesMap().get("SnapKV").getYData(), 1e-12);
        assertArrayEquals(new double[]{0.6}, chart.getSeriesMap().get("PyramidKV").getYData(), 1e-12);
        assertFalse(chart.noteTexts().stream().anyMatch(t -> t.startsWith("Coinciding")));
    }

    @Test
    void anAggregationPanelWhereFullKvIsAtChanceSaysSo() {
        List<SweepRow> chance = List.of(row("h2o", "H2O", 64, "AGGREGATION", 0.2, 0.05),
                row("full", "FullKV", null, "AGGREGATION", 0.0, 1.0),
                row("full", "FullKV", null, "AGGREGATION", 0.1, 1.0)); // mean 0.05: still chance
        NotedXYChart chart = ScoreVsMemoryPlot.chart(chance, "AGGREGATION", ScoreVsMemoryPlot.Axis.MIB,
                PolicyPalette.of(chance), 900, 600, "demo");
        assertEquals("Sweep demo \u00b7 Aggregation tasks \u00b7 m", chart.getTitle());
        assertTrue(chart.noteTexts().stream().anyMatch(t -> t.startsWith("FullKV itself scores 0.05 here")),
                chart.noteTexts().toString());

        List<SweepRow> able = List.of(row("h2o", "H2O", 64, "AGGREGATION", 0.2, 0.05),
                row("full", "FullKV", null, "AGGREGATION", 0.06, 1.0));
        NotedXYChart ok = ScoreVsMemoryPlot.chart(able, "AGGREGATION", ScoreVsMemoryPlot.Axis.MIB,
                PolicyPalette.of(able), 900, 600, "demo");
        assertFalse(ok.noteTexts().stream().anyMatch(t -> t.startsWith("FullKV itself")), ok.noteTexts().toString());
    }

    @Test
    void heatmapCellsShowTheirValueReadablyAndTheColourBarHasATitle() {
        List<SweepRow> rows = List.of(
                new SweepRow("m", "java", "snapkv", "SnapKV", null, 128, "niah", "QA", 1024, 0.0, 1, 0, 1.0,
                        null, 1, 1, 0.1, 0, 0, 0, 0, "", List.of()),
                new SweepRow("m", "java", "snapkv", "SnapKV", null, 128, "niah", "QA", 1024, 1.0, 1, 0, 0.125,
                        null, 1, 1, 0.1, 0, 0, 0, 0, "", List.of()));
        ValueHeatMapChart chart = NeedleHeatmap.chart(rows, "SnapKV", 128, 900, 600, "demo");
        assertEquals("Sweep demo \u00b7 Needle in a haystack \u00b7 SnapKV \u00b7 budget 128", chart.getTitle());
        assertEquals("Mean score", chart.colourBarTitle());
        List<ValueHeatMapChart.CellLabel> cells = chart.cellLabels();
        assertEquals(List.of("1.00", "0.13"), cells.stream().map(ValueHeatMapChart.CellLabel::text).toList());
        // viridis: yellow at 1 takes dark text, dark blue-purple near 0 takes white
        assertEquals(FigureStyle.INK, cells.get(0).color());
        assertEquals(Color.WHITE, cells.get(1).color());
    }

    @Test
    void layerProfilesThatCoincideAreSpread() {
        List<SweepRow> rows = List.of(layerRow("streamingllm", "StreamingLLM", 128, 128),
                layerRow("snapkv", "SnapKV", 128, 128), layerRow("pyramidkv", "PyramidKV", 200, 56));
        NotedXYChart chart = LayerBudgetPlot.chart(rows, 128, 2048, PolicyPalette.of(rows), 900, 600, "demo");
        assertTrue(chart.getTitle().startsWith("Sweep demo \u00b7 Tokens kept per layer"), chart.getTitle());
        // step: 2% of the largest count (200) = 4 tokens
        assertArrayEquals(new double[]{126, 126}, chart.getSeriesMap().get("StreamingLLM").getYData(), 1e-12);
        assertArrayEquals(new double[]{130, 130}, chart.getSeriesMap().get("SnapKV").getYData(), 1e-12);
        assertArrayEquals(new double[]{200, 56}, chart.getSeriesMap().get("PyramidKV").getYData(), 1e-12);
        assertEquals(List.of("Coinciding lines\ndrawn 4 tokens apart\n(shifted \u2264 \u00b12)"), chart.noteTexts());
        // and they keep distinct markers
        PolicyPalette p = PolicyPalette.of(rows);
        assertFalse(p.style("StreamingLLM", "streamingllm").marker().getClass()
                .equals(p.style("SnapKV", "snapkv").marker().getClass()));
    }

    @Test
    void backendFigureHasAPrefillAndADecodePanelEachOnItsOwnAxis() {
        PanelFigure f = BackendComparisonPlot.figure(SyntheticSweep.bench(), 900, 600);
        assertEquals("Backend throughput \u00b7 Llama-3.2-1B-Instruct \u00b7 4096-token prompt", f.title());
        assertEquals(2, f.panels().size());
        var prefill = (org.knowm.xchart.CategoryChart) f.panels().get(0);
        var decode = (org.knowm.xchart.CategoryChart) f.panels().get(1);
        assertEquals("Prefill", prefill.getTitle());
        assertEquals("Decode", decode.getTitle());
        assertEquals("Prefill (prompt tokens / s)", prefill.getYAxisTitle());
        assertEquals("Decode (generated tokens / s)", decode.getYAxisTitle());
        assertEquals(List.of(410.5, 5230.0, 890.0), List.copyOf(prefill.getSeriesMap().get("Prefill").getYData()));
        assertEquals(List.of(18.2, 61.7, 27.4), List.copyOf(decode.getSeriesMap().get("Decode").getYData()));
        assertEquals(List.of("java (CPU)", "tornado (NVIDIA H100)", "llama.cpp (CPU)"),
                List.copyOf(decode.getSeriesMap().get("Decode").getXData()));
        assertEquals(450, prefill.getWidth());
        assertEquals(600 - PanelFigure.TITLE_HEIGHT, decode.getHeight());
    }

    @Test
    void coincidenceGroupsAreSpreadSymmetrically() {
        double[] x = {0, 1};
        double[] offsets = CoincidentLines.offsets(List.of(x, x, x, x),
                List.of(new double[]{1, 1}, new double[]{0.5, 0.5}, new double[]{1, 1}, new double[]{1, 0.995}),
                0, 0.01, 0.02);
        // lines 0, 2, 3 coincide (within 0.01): -0.02, 0, +0.02; line 1 alone stays put
        assertArrayEquals(new double[]{-0.02, 0, 0, 0.02}, offsets, 1e-12);
    }
}
