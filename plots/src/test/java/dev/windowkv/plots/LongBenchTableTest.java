package dev.windowkv.plots;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The paper's LongBench table on scores small enough to average by hand. */
class LongBenchTableTest {

    private static final List<String> DATASETS = List.of("narrativeqa", "qasper", "hotpotqa", "trec");

    private static SweepRow row(String model, String policy, String label, Integer budget, String task, double score) {
        return new SweepRow(model, "java", policy, label, null, budget, task, "QA", 1000, null, 1, 0, score,
                null, 0, 0, 0.1, 0, 0, 0, 0, "", List.of());
    }

    private static List<SweepRow> rows() {
        List<SweepRow> rows = new ArrayList<>();
        // FullKV: hotpotqa 0.5 and 0.7 (mean 0.6), qasper 0.2 (one sample): average (60 + 20) / 2 = 40,
        // not the pooled sample mean (0.5 + 0.7 + 0.2) / 3 = 46.67
        rows.add(row("m", "full", "FullKV", null, "hotpotqa", 0.5));
        rows.add(row("m", "full", "FullKV", null, "hotpotqa", 0.7));
        rows.add(row("m", "full", "FullKV", null, "qasper", 0.2));
        // WindowKV at 512: both datasets; at 1024: hotpotqa only, so no average
        rows.add(row("m", "windowkv", "WindowKV", 512, "hotpotqa", 0.4));
        rows.add(row("m", "windowkv", "WindowKV", 512, "qasper", 0.1));
        rows.add(row("m", "windowkv", "WindowKV", 1024, "hotpotqa", 0.55));
        // a second model keeps its own table; a synthetic task is not LongBench
        rows.add(row("n", "full", "FullKV", null, "hotpotqa", 1.0));
        rows.add(row("n", "full", "FullKV", null, "qasper", 0.0));
        rows.add(row("m", "full", "FullKV", null, "niah_single", 1.0));
        return rows;
    }

    @Test
    void scoresTimesHundredPerDatasetAndTheirAverage() {
        LongBenchTable t = LongBenchTable.of(rows(), DATASETS);
        // columns: the datasets present, in LongBench's order (qasper before hotpotqa)
        assertEquals(List.of("qasper", "hotpotqa"), t.datasets());
        assertEquals(List.of("m/FullKV/0", "m/WindowKV/512", "m/WindowKV/1024", "n/FullKV/0"),
                t.rows().stream().map(r -> r.model() + "/" + r.policyLabel() + "/" + r.budget()).toList());
        LongBenchTable.Row full = t.rows().getFirst();
        assertEquals(60, full.scores().get("hotpotqa"), 1e-9);
        assertEquals(20, full.scores().get("qasper"), 1e-9);
        assertEquals(40, full.average(), 1e-9);
        assertEquals(25, t.rows().get(1).average(), 1e-9);
        assertTrue(Double.isNaN(t.rows().get(2).average()), "a row missing a dataset has no average");
        assertEquals(50, t.rows().get(3).average(), 1e-9);
    }

    @Test
    void markdownAndCsv() {
        LongBenchTable t = LongBenchTable.of(rows(), DATASETS);
        String[] md = t.toMarkdown().split("\n");
        assertEquals("**m** (score × 100)", md[0]);
        assertEquals("| Policy | Budget | qasper | hotpotqa | Avg. |", md[2]);
        assertEquals("|---|---:|---:|---:|---:|", md[3]);
        assertEquals("| FullKV | full | 20.00 | 60.00 | 40.00 |", md[4]);
        assertEquals("| WindowKV | 1024 | – | 55.00 | – |", md[6]);
        assertEquals("**n** (score × 100)", md[8]);

        String[] csv = t.toCsv().split("\n");
        assertEquals("model,policy,policyLabel,budget,qasper,hotpotqa,average", csv[0]);
        assertEquals("m,full,FullKV,,20.0000,60.0000,40.0000", csv[1]);
        assertEquals("m,windowkv,WindowKV,1024,,55.0000,", csv[3]);
    }

    @Test
    void noLongBenchRowsNoTable() {
        assertTrue(LongBenchTable.of(List.of(row("m", "full", "FullKV", null, "niah_single", 1)), DATASETS).isEmpty());
    }
}
