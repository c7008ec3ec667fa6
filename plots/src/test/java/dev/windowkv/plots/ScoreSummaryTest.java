package dev.windowkv.plots;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Mean, count and standard error per task (and per task type) x policy x budget, on scores small enough to do by hand. */
class ScoreSummaryTest {

    private static SweepRow row(String policy, String label, Integer budget, String type, double score, double kv) {
        return new SweepRow("m", "java", policy, label, null, budget, "t", type, 1000, null, 1, 0, score,
                null, 0, 0, kv, 0, 0, 0, 0, "", List.of());
    }

    private static final List<SweepRow> ROWS = List.of(
            // SnapKV at 128 on QA: scores 1, 0, 1 -> mean 2/3, s^2 = (1/9 + 4/9 + 1/9) / 2 = 1/3, SE = sqrt(1/3)/sqrt(3) = 1/3
            row("snapkv", "SnapKV", 128, "QA", 1, 0.1),
            row("snapkv", "SnapKV", 128, "QA", 0, 0.1),
            row("snapkv", "SnapKV", 128, "QA", 1, 0.1),
            // WindowKV at 128 on QA: 0.5, 0.7 -> mean 0.6, s^2 = 0.02, SE = sqrt(0.02)/sqrt(2) = 0.1
            row("windowkv", "WindowKV (max)", 128, "QA", 0.5, 0.1),
            row("windowkv", "WindowKV (max)", 128, "QA", 0.7, 0.1),
            // the full cache, budget null: one sample, so no standard error
            row("full", "FullKV", null, "QA", 0.9, 1.0),
            // another task type, and a budget 0 that also means the full cache
            row("windowkv", "WindowKV (max)", 256, "AGGREGATION", 0.25, 0.2),
            row("full", "FullKV", 0, "AGGREGATION", 0.75, 1.0));

    @Test
    void meansCountsAndStandardErrors() {
        List<ScoreSummary.Row> rows = ScoreSummary.byTaskType(ROWS).rows();
        // sorted by task type, then FullKV, baselines, WindowKV, then budget
        assertEquals(List.of("AGGREGATION/FullKV/0", "AGGREGATION/WindowKV (max)/256", "QA/FullKV/0",
                        "QA/SnapKV/128", "QA/WindowKV (max)/128"),
                rows.stream().map(r -> r.taskType() + "/" + r.policyLabel() + "/" + r.budget()).toList());

        ScoreSummary.Row snap = rows.get(3);
        assertEquals(3, snap.n());
        assertEquals(2.0 / 3, snap.mean(), 1e-12);
        assertEquals(1.0 / 3, snap.stdError(), 1e-12);

        ScoreSummary.Row window = rows.get(4);
        assertEquals(2, window.n());
        assertEquals(0.6, window.mean(), 1e-12);
        assertEquals(0.1, window.stdError(), 1e-12);
        assertEquals(0.1, window.meanKvFraction(), 1e-12);

        ScoreSummary.Row full = rows.get(2);
        assertEquals(1, full.n());
        assertEquals(0.9, full.mean(), 1e-12);
        assertTrue(Double.isNaN(full.stdError()));
    }

    @Test
    void csvAndMarkdown() {
        ScoreSummary summary = ScoreSummary.of(ROWS);
        String[] csv = summary.toCsv().split("\n");
        assertEquals("model,task,taskType,policy,policyLabel,budget,n,meanScore,stdError,meanKvFraction,meanKvBytes,peakRssBytes", csv[0]);
        assertEquals("m,t,QA,full,FullKV,,1,0.900000,,1.000000,0,", csv[3]);
        assertEquals("m,t,QA,snapkv,SnapKV,128,3,0.666667,0.333333,0.100000,0,", csv[4]);

        String[] md = summary.toMarkdown().split("\n");
        assertEquals("| Model | Task | Type | Policy | Budget | n | Mean score | Std. error | KV cache (% of full) | KV cache (MiB) "
                + "| Peak RSS (MiB) |", md[0]);
        assertEquals("| m | t | QA | FullKV | full | 1 | 0.900 | – | 100.0 | 0.0 | – |", md[4]);
        assertEquals("| m | t | QA | WindowKV (max) | 128 | 2 | 0.600 | 0.100 | 10.0 | 0.0 | – |", md[6]);

        String[] overview = ScoreSummary.byTaskType(ROWS).toCsv().split("\n");
        assertEquals("model,taskType,policy,policyLabel,budget,n,meanScore,stdError,meanKvFraction,meanKvBytes,peakRssBytes", overview[0]);
        assertEquals("m,QA,snapkv,SnapKV,128,3,0.666667,0.333333,0.100000,0,", overview[4]);
        assertEquals("| Model | Task type | Policy | Budget | n | Mean score | Std. error | KV cache (% of full) | KV cache (MiB) "
                        + "| Peak RSS (MiB) |",
                ScoreSummary.byTaskType(ROWS).toMarkdown().split("\n")[0]);
    }

    /** The measured peak resident set sits beside the accounted KV bytes: the cell's highest, in MiB. */
    @Test
    void peakResidentSetBesideTheAccountedKvBytes() {
        List<SweepRow> rows = List.of(rss(64L << 20, 1000L << 20), rss(64L << 20, 1200L << 20), rss(32L << 20, null));
        ScoreSummary.Row r = ScoreSummary.of(rows).rows().getFirst();
        assertEquals(1200L << 20, r.peakRssBytes(), "the highest of the cell's samples");
        assertEquals((64.0 + 64 + 32) / 3 * (1 << 20), r.meanKvBytes(), 1e-6);
        String[] csv = ScoreSummary.of(rows).toCsv().split("\n");
        assertEquals("m,t,QA,snapkv,SnapKV,128,3,1.000000,0.000000,0.100000," + (160L << 20) / 3 + "," + (1200L << 20), csv[1]);
        assertEquals("| m | t | QA | SnapKV | 128 | 3 | 1.000 | 0.000 | 10.0 | 53.3 | 1200 |",
                ScoreSummary.of(rows).toMarkdown().split("\n")[2]);
    }

    private static SweepRow rss(long kvBytes, Long peakRss) {
        return new SweepRow("m", "java", "snapkv", "SnapKV", null, 128, "t", "QA", 1000, null, 1, 0, 1,
                null, kvBytes, 0, 0.1, 0, 0, 0, 0, "", List.of(), null, null, null, null, null, null, peakRss);
    }
}
