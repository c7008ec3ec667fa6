package dev.windowkv.plots;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** What the figures plot, on worked examples: the numbers behind the pixels. */
class FigureDataTest {

    private static SweepRow row(String policy, String label, Integer budget, int length, Double depth, double score,
                                int[] kept, long kvBytes, long fullKvBytes) {
        return new SweepRow("m", "java", policy, label, null, budget, "t", "QA", length, depth, 1, 0, score,
                kept, kvBytes, fullKvBytes, (double) kvBytes / fullKvBytes, 0, 0, 0, 0, "", List.of());
    }

    private static final long MIB = 1 << 20;

    @Test
    void scoreVsMemoryPlotsMeanMibAndMeanScorePerBudget() {
        List<SweepRow> rows = List.of(
                row("snapkv", "SnapKV", 128, 4096, null, 1.0, null, 4 * MIB, 128 * MIB),
                row("snapkv", "SnapKV", 128, 4096, null, 0.0, null, 4 * MIB, 128 * MIB),
                row("snapkv", "SnapKV", 256, 4096, null, 0.5, null, 8 * MIB, 128 * MIB),
                row("full", "FullKV", null, 4096, null, 0.9, null, 128 * MIB, 128 * MIB));
        var chart = ScoreVsMemoryPlot.chart(rows, "QA", ScoreVsMemoryPlot.Axis.MIB, PolicyPalette.of(rows), 600, 400);
        var snap = chart.getSeriesMap().get("SnapKV");
        // 4 .. 128 MiB spans more than 10x: x is log2(MiB / 128), so 4 MiB -> -5 and 8 MiB -> -4
        assertArrayEquals(new double[]{-5, -4}, snap.getXData(), 1e-12);
        assertArrayEquals(new double[]{0.5, 0.5}, snap.getYData(), 1e-12);
        // scores 1 and 0: s = sqrt(0.5), SE = s / sqrt(2) = 0.5; one sample: no bar
        assertArrayEquals(new double[]{0.5, 0}, snap.getExtraValues(), 1e-12);
        var full = chart.getSeriesMap().get("FullKV");
        assertArrayEquals(new double[]{-5, 0}, full.getXData(), 1e-12);
        assertArrayEquals(new double[]{0.9, 0.9}, full.getYData(), 1e-12);
    }

    @Test
    void needleCellsAreMeanScoresWithShallowDepthsOnTop() {
        List<SweepRow> rows = List.of(
                row("windowkv", "WindowKV", 128, 1024, 0.0, 1.0, null, 1, 1),
                row("windowkv", "WindowKV", 128, 1024, 0.0, 0.0, null, 1, 1),
                row("windowkv", "WindowKV", 128, 2048, 1.0, 0.25, null, 1, 1),
                row("windowkv", "WindowKV", 256, 2048, 1.0, 1.0, null, 1, 1)); // other budget: left out
        var chart = NeedleHeatmap.chart(rows, "WindowKV", 128, 600, 400);
        var series = chart.getHeatMapSeries();
        assertEquals(List.of("1K", "2K"), series.getXData());
        assertEquals(List.of("100", "0"), series.getYData()); // drawn bottom-up: 0% ends on top
        List<String> cells = new java.util.ArrayList<>();
        for (Number[] c : series.getHeatData()) {
            cells.add(c[0] + "," + c[1] + "=" + c[2]);
        }
        assertEquals(List.of("0,1=0.5", "1,0=0.25"), cells);
    }

    @Test
    void layerProfileIsTheElementwiseMean() {
        List<SweepRow> rows = List.of(
                row("pyramidkv", "PyramidKV", 2, 100, null, 1, new int[]{3, 2, 1}, 1, 1),
                row("pyramidkv", "PyramidKV", 2, 100, null, 1, new int[]{5, 2, 0}, 1, 1));
        assertArrayEquals(new double[]{4, 2, 0.5}, LayerBudgetPlot.meanPerLayer(rows), 1e-12);
    }

    private static SweepRow adaKv(int[][] perHead) {
        int[] mean = new int[perHead.length];
        for (int l = 0; l < mean.length; l++) mean[l] = (perHead[l][0] + perHead[l][1]) / 2;
        return new SweepRow("m", "java", "adakv", "AdaKV", null, 64, "t", "QA", 100, null, 1, 0, 1, mean, 1, 1, 1,
                0, 0, 0, 0, "", List.of(), null, null, perHead, null, null, null);
    }

    @Test
    void headAdaptiveBudgetsShowTheFewestAndMostAHeadKeepsPerLayer() {
        List<SweepRow> rows = List.of(adaKv(new int[][]{{32, 96}, {64, 64}}), adaKv(new int[][]{{40, 88}, {60, 68}}));
        assertArrayEquals(new double[]{36, 62}, LayerBudgetPlot.headRange(rows)[0], 1e-12);
        assertArrayEquals(new double[]{92, 66}, LayerBudgetPlot.headRange(rows)[1], 1e-12);
        var chart = LayerBudgetPlot.chart(rows, 64, 100, PolicyPalette.of(rows), 600, 400);
        assertArrayEquals(new double[]{92, 66}, chart.getSeriesMap().get("AdaKV: KV head keeping most").getYData(), 1e-12);
        assertArrayEquals(new double[]{36, 62}, chart.getSeriesMap().get("AdaKV: KV head keeping fewest").getYData(), 1e-12);
        // Heads that keep the same count (every per-head-uniform policy) get no band.
        assertEquals(null, LayerBudgetPlot.headRange(List.of(adaKv(new int[][]{{64, 64}, {64, 64}}))));
    }

    @Test
    void aPolicyLooksTheSameWhateverElseIsPlotted() {
        List<SweepRow> a = List.of(row("windowkv", "WindowKV (max)", 1, 1, null, 1, null, 1, 1));
        List<SweepRow> b = List.of(row("snapkv", "SnapKV", 1, 1, null, 1, null, 1, 1),
                row("windowkv", "WindowKV (max)", 1, 1, null, 1, null, 1, 1),
                row("windowkv", "WindowKV (mean)", 1, 1, null, 1, null, 1, 1));
        var inA = PolicyPalette.of(a).style("WindowKV (max)", "windowkv");
        var inB = PolicyPalette.of(b).style("WindowKV (max)", "windowkv");
        assertEquals(inA, inB);
        var mean = PolicyPalette.of(b).style("WindowKV (mean)", "windowkv");
        assertEquals(inB.color(), mean.color()); // a variant keeps the policy's colour...
        assertNotEquals(inB.line(), mean.line()); // ...and differs by dash
        assertNotEquals(inB.color(), PolicyPalette.of(b).style("SnapKV", "snapkv").color());
    }
}
