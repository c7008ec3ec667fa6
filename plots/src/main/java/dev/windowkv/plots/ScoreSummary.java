package dev.windowkv.plots;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Mean score per task type x policy label x budget, with the sample count and standard error, as the
 * sweep prints it (Markdown) and saves it (CSV). Every sample weighs the same, so a task with more
 * samples weighs more within its task type.
 */
public final class ScoreSummary {

    /**
     * One cell of the summary.
     *
     * @param budget         0 for the full cache
     * @param meanKvFraction mean KV-cache size as a fraction of the full cache
     */
    public record Row(String taskType, String policy, String policyLabel, int budget, int n, double mean,
                      double stdError, double meanKvFraction) {
    }

    private final List<Row> rows;

    private ScoreSummary(List<Row> rows) {
        this.rows = rows;
    }

    /** Rows sorted by task type, then legend order, then budget (full cache first). */
    public static ScoreSummary of(List<SweepRow> samples) {
        PolicyPalette palette = PolicyPalette.of(samples);
        record Key(String taskType, String label, int budget) {
        }
        Map<Key, List<SweepRow>> groups = new LinkedHashMap<>();
        for (SweepRow r : samples) {
            groups.computeIfAbsent(new Key(r.taskType(), r.label(), r.budgetOrZero()), k -> new ArrayList<>()).add(r);
        }
        List<Row> rows = new ArrayList<>();
        for (var e : groups.entrySet()) {
            List<SweepRow> g = e.getValue();
            MeanScore m = MeanScore.of(g.stream().map(SweepRow::score).toList());
            double kv = g.stream().mapToDouble(SweepRow::kvFraction).average().orElse(Double.NaN);
            rows.add(new Row(e.getKey().taskType(), g.getFirst().policy(), e.getKey().label(), e.getKey().budget(),
                    m.n(), m.mean(), m.stdError(), kv));
        }
        rows.sort(Comparator.comparing(Row::taskType)
                .thenComparing(Row::policyLabel, palette.labelOrder())
                .thenComparingInt(Row::budget));
        return new ScoreSummary(List.copyOf(rows));
    }

    public List<Row> rows() {
        return rows;
    }

    /** CSV with a header; an undefined standard error (one sample) is an empty field, as is the full cache's budget. */
    public String toCsv() {
        StringBuilder sb = new StringBuilder("taskType,policy,policyLabel,budget,n,meanScore,stdError,meanKvFraction\n");
        for (Row r : rows) {
            sb.append(csv(r.taskType())).append(',').append(csv(r.policy())).append(',')
                    .append(csv(r.policyLabel())).append(',').append(r.budget() == 0 ? "" : r.budget()).append(',')
                    .append(r.n()).append(',').append(num(r.mean(), "%.6f")).append(',')
                    .append(num(r.stdError(), "%.6f")).append(',').append(num(r.meanKvFraction(), "%.6f"))
                    .append('\n');
        }
        return sb.toString();
    }

    /** A GitHub-flavoured Markdown table, scores to three decimals, KV size in percent. */
    public String toMarkdown() {
        StringBuilder sb = new StringBuilder(
                "| Task type | Policy | Budget | n | Mean score | Std. error | KV cache (% of full) |\n"
                        + "|---|---|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            sb.append("| ").append(r.taskType()).append(" | ").append(r.policyLabel().replace("|", "\\|")).append(" | ")
                    .append(r.budget() == 0 ? "full" : Integer.toString(r.budget())).append(" | ")
                    .append(r.n()).append(" | ").append(num(r.mean(), "%.3f")).append(" | ")
                    .append(Double.isNaN(r.stdError()) ? "–" : num(r.stdError(), "%.3f")).append(" | ")
                    .append(Double.isNaN(r.meanKvFraction()) ? "–" : num(100 * r.meanKvFraction(), "%.1f"))
                    .append(" |\n");
        }
        return sb.toString();
    }

    public Path writeCsv(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, toCsv(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }

    private static String num(double v, String format) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, format, v);
    }

    private static String csv(String s) {
        if (s == null) {
            return "";
        }
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }
}
