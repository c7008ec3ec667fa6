package dev.windowkv.plots;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kept-token map on a 10-token prompt, 2 layers × 2 KV heads, needle at tokens 3–4. */
class KeptTokenMapTest {
    static SweepRow row(String policy, String label, Integer budget, int sample, int[][][] ranges) {
        int[][] perHead = new int[ranges.length][ranges[0].length];
        return new SweepRow("m", "java", policy, label, null, budget, "niah_single", "QA", 10, 0.5, 1, sample, 1.0,
                new int[] {0, 0}, 0, 1, 0, 0, 0, 0, 0, "", List.of(), null, null, perHead, ranges, new int[] {3, 5}, null);
    }

    static final int[][][] FULL = {{{0, 10}, {0, 10}}, {{0, 10}, {0, 10}}};
    /** Layer 0: head 0 keeps 3–4 and 7–9, head 1 keeps 0 and 7–9; layer 1: both keep 8–9. */
    static final int[][][] SNAP = {{{3, 5, 7, 10}, {0, 1, 7, 10}}, {{8, 10}, {8, 10}}};

    @Test
    void sharesCountTheHeadsThatKeepEachPosition() {
        double[][] s = KeptTokenMap.shares(SNAP, 10, 1);
        assertArrayEquals(new double[] {0.5, 0, 0, 0.5, 0.5, 0, 0, 1, 1, 1}, s[0], 1e-12);
        assertArrayEquals(new double[] {0, 0, 0, 0, 0, 0, 0, 0, 1, 1}, s[1], 1e-12);
        // Bins of 4 positions: layer 0 keeps 1+0+1+1 of 8 pairs in 0–3, 1+0+0+1+... → 3/8, 2/8 (4–7: 4, 7, 7), 4/4.
        double[][] b = KeptTokenMap.shares(SNAP, 10, 4);
        assertArrayEquals(new double[] {2 / 8.0, 3 / 8.0, 1}, b[0], 1e-12);
    }

    @Test
    void theObservationWindowIsTheSuffixEveryHeadKeeps() {
        assertEquals(2, KeptTokenMap.windowLength(SNAP, 10));
        assertEquals(10, KeptTokenMap.windowLength(FULL, 10));
        assertEquals(0, KeptTokenMap.windowLength(new int[][][] {{{0, 4}}}, 10));
    }

    @Test
    void picksTheSampleAtTheBudgetWithEveryPolicyAndDrawsIt(@TempDir Path dir) throws Exception {
        List<SweepRow> rows = List.of(
                row("snapkv", "SnapKV", 4, 0, SNAP),
                row("snapkv", "SnapKV", 8, 0, FULL),
                row("snapkv", "SnapKV", 4, 1, SNAP),
                row("windowkv", "WindowKV", 4, 1, SNAP));
        PolicyPalette palette = PolicyPalette.of(rows);
        KeptTokenMap.Sample s = KeptTokenMap.pick(rows, 4, palette.labelOrder());
        assertEquals(1, s.sampleIndex(), "sample 1 has two policies at budget 4");
        assertEquals(2, s.rows().size());
        var chart = KeptTokenMap.chart(rows, 4, palette, 800, 500);
        assertEquals(2 * (3 + 2), chart.getSeriesMap().get("Kept by every KV head").getXData().length,
                "two bands, each with 3 + 2 positions every head keeps");
        assertEquals(2 * 3, chart.getSeriesMap().get("Partly kept (some heads, or part of the cell)").getXData().length);
        assertArrayEquals(new double[] {3, 3, 5, 5}, chart.getSeriesMap().get("Needle").getXData(), 1e-12);
        assertEquals(4, chart.getSeriesMap().get("Observation window starts").getXData().length);
        assertNull(KeptTokenMap.chart(rows.stream().map(r -> row(r.policy(), r.label(), r.budget(), r.sample(), FULL))
                .map(r -> new SweepRow(r.model(), r.backend(), r.policy(), r.policyLabel(), null, r.budget(), r.task(),
                        r.taskType(), r.length(), r.depth(), r.seed(), r.sample(), r.score(), r.tokensKeptPerLayer(),
                        0, 1, 0, 0, 0, 0, 0, "", List.of())).toList(), 4, palette, 800, 500));

        Path out = dir.resolve("results.jsonl");
        ObjectMapper json = new ObjectMapper();
        StringBuilder lines = new StringBuilder();
        for (SweepRow r : rows) lines.append(json.writeValueAsString(r)).append('\n');
        Files.writeString(out, lines);
        List<SweepRow> back = ResultsReader.readSweep(out);
        assertArrayEquals(SNAP[0][0], back.get(0).keptRanges()[0][0]);
        List<Path> written = Plots.drawAll(out, dir.resolve("fig"));
        assertTrue(written.stream().anyMatch(p -> p.getFileName().toString().equals("kept-token-map.png")), written.toString());
    }

    @Test
    void twoValueSpansOfOneSampleAreTwoPromptsAndTheLongerIsDrawn() {
        SweepRow shortValue = withSpan(row("snapkv", "SnapKV", 2, 0, FULL), 4);
        SweepRow longValue = withSpan(row("snapkv", "SnapKV", 2, 0, FULL), 8);
        var s = KeptTokenMap.pick(List.of(shortValue, longValue), 2, String::compareTo);
        assertEquals(1, s.rows().size(), "one band per policy, not one per span");
        assertEquals(8, s.rows().getFirst().valueSpan());
    }

    private static SweepRow withSpan(SweepRow r, int span) {
        return new SweepRow(r.model(), r.backend(), r.policy(), r.policyLabel(), r.options(), r.budget(), r.task(),
                r.taskType(), r.length(), r.depth(), r.seed(), r.sample(), r.score(), r.tokensKeptPerLayer(), r.kvBytes(),
                r.fullKvBytes(), r.kvFraction(), r.prefillMs(), r.compressMs(), r.decodeMs(), r.generatedTokens(),
                r.output(), r.expected(), r.id(), r.kvDtype(), r.keptPerHead(), r.keptRanges(), r.needleSpan(), span);
    }
}
