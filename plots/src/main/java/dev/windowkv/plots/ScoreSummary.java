package dev.windowkv.plots;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Mean score with its sample count and standard error, per model x task x policy label x budget
 * ({@link #of}), or per model x task type x policy label x budget with the tasks of a type pooled
 * ({@link #byTaskType}), as the sweep prints it (Markdown) and saves it (CSV). Models are never
 * pooled: their scores are not samples of one quantity.
 */
public final class ScoreSummary {

    /**
     * One cell of the summary.
     *
     * @param task           the task or dataset; null in the per-task-type overview
     * @param budget         0 for the full cache
     * @param meanKvFraction mean KV-cache size as a fraction of the full cache
     * @param meanKvBytes    mean KV-cache bytes, as accounted ({@link SweepRow#kvBytes})
     * @param peakRssBytes   the highest peak resident set of the cell's samples, as measured
     *                       ({@link SweepRow#peakRssBytes}); null where no sample has one
     */
    public record Row(String model, String task, String taskType, String policy, String policyLabel, int budget,
                      int n, double mean, double stdError, double meanKvFraction, double meanKvBytes, Long peakRssBytes) {
    }

    private static final double MIB = 1 << 20;

    private final List<Row> rows;
    private final boolean perTask;

    private ScoreSummary(List<Row> rows, boolean perTask) {
        this.rows = rows;
        this.perTask = perTask;
    }

    /** One row per model x task x policy label x budget, sorted in that order (legend order, full cache first). */
    public static ScoreSummary of(List<SweepRow> samples) {
        return new ScoreSummary(group(samples, true), true);
    }

    /**
     * One row per model x task type x policy label x budget. Every sample weighs the same, so a task
     * with more samples weighs more within its type.
     */
    public static ScoreSummary byTaskType(List<SweepRow> samples) {
        return new ScoreSummary(group(samples, false), false);
    }

    /**
     * The task a row counts for: its name, and its value span where it records one, since a task
     * with 8-token values is another experiment than the same task with 4-token values.
     */
    static String taskOf(SweepRow r) {
        String task = Objects.requireNonNullElse(r.task(), "");
        return r.valueSpan() == null ? task : task + " (" + r.valueSpan() + "-token value)";
    }

    private static List<Row> group(List<SweepRow> samples, boolean perTask) {
        PolicyPalette palette = PolicyPalette.of(samples);
        record Key(String model, String task, String taskType, String label, int budget) {
        }
        Map<Key, List<SweepRow>> groups = new LinkedHashMap<>();
        for (SweepRow r : samples) {
            Key k = new Key(modelOf(r), perTask ? taskOf(r) : null, r.taskType(), r.label(), r.budgetOrZero());
            groups.computeIfAbsent(k, x -> new ArrayList<>()).add(r);
        }
        List<Row> rows = new ArrayList<>();
        for (var e : groups.entrySet()) {
            List<SweepRow> g = e.getValue();
            Key k = e.getKey();
            MeanScore m = MeanScore.of(g.stream().map(SweepRow::score).toList());
            double kv = g.stream().mapToDouble(SweepRow::kvFraction).average().orElse(Double.NaN);
            double kvBytes = g.stream().mapToLong(SweepRow::kvBytes).average().orElse(Double.NaN);
            Long rss = g.stream().map(SweepRow::peakRssBytes).filter(Objects::nonNull).max(Long::compare).orElse(null);
            rows.add(new Row(k.model(), k.task(), k.taskType(), g.getFirst().policy(), k.label(), k.budget(),
                    m.n(), m.mean(), m.stdError(), kv, kvBytes, rss));
        }
        rows.sort(Comparator.comparing(Row::model)
                .thenComparing(Row::taskType)
                .thenComparing(r -> Objects.requireNonNullElse(r.task(), ""))
                .thenComparing(Row::policyLabel, palette.labelOrder())
                .thenComparingInt(Row::budget));
        return List.copyOf(rows);
    }

    static String modelOf(SweepRow r) {
        return Objects.requireNonNullElse(r.model(), "");
    }

    public List<Row> rows() {
        return rows;
    }

    /** CSV with a header; an undefined standard error (one sample) is an empty field, as is the full cache's budget. */
    public String toCsv() {
        StringBuilder sb = new StringBuilder("model,").append(perTask ? "task," : "")
                .append("taskType,policy,policyLabel,budget,n,meanScore,stdError,meanKvFraction,meanKvBytes,peakRssBytes\n");
        for (Row r : rows) {
            sb.append(Tables.csv(r.model())).append(',');
            if (perTask) {
                sb.append(Tables.csv(r.task())).append(',');
            }
            sb.append(Tables.csv(r.taskType())).append(',').append(Tables.csv(r.policy())).append(',')
                    .append(Tables.csv(r.policyLabel())).append(',').append(r.budget() == 0 ? "" : r.budget()).append(',')
                    .append(r.n()).append(',').append(Tables.num(r.mean(), "%.6f")).append(',')
                    .append(Tables.num(r.stdError(), "%.6f")).append(',')
                    .append(Tables.num(r.meanKvFraction(), "%.6f")).append(',')
                    .append(Tables.num(r.meanKvBytes(), "%.0f")).append(',')
                    .append(r.peakRssBytes() == null ? "" : r.peakRssBytes()).append('\n');
        }
        return sb.toString();
    }

    /**
     * A GitHub-flavoured Markdown table, scores to three decimals, KV size in percent and in MiB, and
     * the measured peak resident set beside it.
     */
    public String toMarkdown() {
        StringBuilder sb = new StringBuilder("| Model | ").append(perTask ? "Task | Type" : "Task type")
                .append(" | Policy | Budget | n | Mean score | Std. error | KV cache (% of full) | KV cache (MiB) | Peak RSS (MiB) |\n")
                .append(perTask ? "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|\n" : "|---|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            sb.append("| ").append(Tables.md(r.model())).append(" | ");
            if (perTask) {
                sb.append(Tables.md(r.task())).append(" | ");
            }
            sb.append(Tables.md(r.taskType())).append(" | ").append(Tables.md(r.policyLabel())).append(" | ")
                    .append(r.budget() == 0 ? "full" : Integer.toString(r.budget())).append(" | ")
                    .append(r.n()).append(" | ").append(Tables.num(r.mean(), "%.3f")).append(" | ")
                    .append(Double.isNaN(r.stdError()) ? "–" : Tables.num(r.stdError(), "%.3f")).append(" | ")
                    .append(Double.isNaN(r.meanKvFraction()) ? "–" : Tables.num(100 * r.meanKvFraction(), "%.1f")).append(" | ")
                    .append(Double.isNaN(r.meanKvBytes()) ? "–" : Tables.num(r.meanKvBytes() / MIB, "%.1f")).append(" | ")
                    .append(r.peakRssBytes() == null ? "–" : Tables.num(r.peakRssBytes() / MIB, "%.0f"))
                    .append(" |\n");
        }
        return sb.toString();
    }

    public Path writeCsv(Path file) {
        return Tables.write(file, toCsv());
    }
}
