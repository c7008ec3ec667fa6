package dev.windowkv.plots;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Two models and two tasks of one task type: four cells per policy and budget, never pooled; the
 * task-type overview pools the tasks but keeps the models apart.
 */
class SummaryGroupingTest {

    private static SweepRow row(String model, String task, double score) {
        return new SweepRow(model, "java", "snapkv", "SnapKV", null, 128, task, "QA", 1000, null, 1, 0, score,
                null, 0, 0, 0.1, 0, 0, 0, 0, "", List.of());
    }

    /** Each (model, task) cell has two samples, m - 0.1 and m + 0.1, with m = 0.1, 0.3, 0.5, 0.7. */
    private static List<SweepRow> rows() {
        List<SweepRow> rows = new ArrayList<>();
        double base = 0.1;
        for (String model : List.of("a", "b")) {
            for (String task : List.of("hotpotqa", "qasper")) {
                rows.add(row(model, task, base - 0.1));
                rows.add(row(model, task, base + 0.1));
                base += 0.2;
            }
        }
        return rows;
    }

    @Test
    void modelsAndTasksAreNotPooled() {
        List<ScoreSummary.Row> cells = ScoreSummary.of(rows()).rows();
        assertEquals(4, cells.size(), "one row per model x task");
        assertEquals(List.of("a/hotpotqa", "a/qasper", "b/hotpotqa", "b/qasper"),
                cells.stream().map(r -> r.model() + "/" + r.task()).toList());
        assertEquals(List.of(0.1, 0.3, 0.5, 0.7), cells.stream().map(r -> Math.round(r.mean() * 10) / 10.0).toList());
        for (ScoreSummary.Row c : cells) {
            assertEquals(2, c.n());
            // scores m - 0.1 and m + 0.1: s = sqrt(0.02), s.e. = s / sqrt(2) = 0.1
            assertEquals(0.1, c.stdError(), 1e-12);
        }
    }

    @Test
    void theTaskTypeOverviewPoolsTasksButNotModels() {
        List<ScoreSummary.Row> cells = ScoreSummary.byTaskType(rows()).rows();
        assertEquals(List.of("a", "b"), cells.stream().map(ScoreSummary.Row::model).toList());
        ScoreSummary.Row a = cells.getFirst();
        assertEquals(null, a.task());
        // model a: 0, 0.2, 0.2, 0.4 -> mean 0.2, s^2 = (0.04 + 0 + 0 + 0.04) / 3, s.e. = s / 2
        assertEquals(4, a.n());
        assertEquals(0.2, a.mean(), 1e-12);
        assertEquals(Math.sqrt(0.08 / 3) / 2, a.stdError(), 1e-12);
        assertEquals(0.6, cells.get(1).mean(), 1e-12);
    }
}
