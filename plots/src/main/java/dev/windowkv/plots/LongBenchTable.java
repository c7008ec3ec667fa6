package dev.windowkv.plots;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The paper's LongBench table: per model, one row per policy label and budget, one column per
 * dataset holding its mean score x 100 (LongBench's dataset score), and the average over the
 * datasets, as the paper reports it: each dataset weighs the same, whatever its sample count.
 *
 * <p>The average is left blank in a row that lacks a dataset the table has: an average over fewer
 * datasets would not compare with the other rows (nor with the paper).
 */
public final class LongBenchTable {

    /**
     * One row of the table.
     *
     * @param budget  0 for the full cache
     * @param scores  dataset -> mean score x 100, for the datasets this row has
     * @param average mean of {@code scores} over all the table's datasets; NaN when one is missing
     */
    public record Row(String model, String policy, String policyLabel, int budget, Map<String, Double> scores,
                      double average) {
    }

    private final List<String> datasets;
    private final List<Row> rows;

    private LongBenchTable(List<String> datasets, List<Row> rows) {
        this.datasets = datasets;
        this.rows = rows;
    }

    /**
     * The table of the samples whose task is one of {@code datasets} (LongBench's dataset names, in
     * the column order wanted); other samples are ignored. Columns are the datasets present.
     */
    public static LongBenchTable of(List<SweepRow> samples, List<String> datasets) {
        List<SweepRow> picked = samples.stream().filter(r -> datasets.contains(r.task())).toList();
        List<String> present = datasets.stream().filter(d -> picked.stream().anyMatch(r -> d.equals(r.task()))).toList();
        PolicyPalette palette = PolicyPalette.of(picked);
        record Key(String model, String label, int budget) {
        }
        Map<Key, Map<String, List<Double>>> cells = new LinkedHashMap<>();
        Map<Key, String> policies = new LinkedHashMap<>();
        for (SweepRow r : picked) {
            Key k = new Key(ScoreSummary.modelOf(r), r.label(), r.budgetOrZero());
            cells.computeIfAbsent(k, x -> new TreeMap<>()).computeIfAbsent(r.task(), x -> new ArrayList<>()).add(r.score());
            policies.putIfAbsent(k, r.policy());
        }
        List<Row> rows = new ArrayList<>();
        for (var e : cells.entrySet()) {
            Map<String, Double> scores = new LinkedHashMap<>();
            for (String d : present) {
                List<Double> s = e.getValue().get(d);
                if (s != null) {
                    scores.put(d, 100 * MeanScore.of(s).mean());
                }
            }
            double average = scores.size() == present.size()
                    ? scores.values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN)
                    : Double.NaN;
            Key k = e.getKey();
            rows.add(new Row(k.model(), policies.get(k), k.label(), k.budget(), Map.copyOf(scores), average));
        }
        rows.sort(Comparator.comparing(Row::model).thenComparingInt(Row::budget)
                .thenComparing(Row::policyLabel, palette.labelOrder()));
        return new LongBenchTable(present, List.copyOf(rows));
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    /** The dataset columns, in the order asked for. */
    public List<String> datasets() {
        return datasets;
    }

    public List<Row> rows() {
        return rows;
    }

    /** One Markdown table per model, two decimals as the paper prints them. */
    public String toMarkdown() {
        StringBuilder sb = new StringBuilder();
        String model = null;
        for (Row r : rows) {
            if (!r.model().equals(model)) {
                model = r.model();
                sb.append(sb.isEmpty() ? "" : "\n").append("**").append(Tables.md(model)).append("** (score × 100)\n\n")
                        .append("| Policy | Budget | ").append(String.join(" | ", datasets.stream().map(Tables::md).toList()))
                        .append(" | Avg. |\n|---|---:|").append("---:|".repeat(datasets.size() + 1)).append('\n');
            }
            sb.append("| ").append(Tables.md(r.policyLabel())).append(" | ")
                    .append(r.budget() == 0 ? "full" : Integer.toString(r.budget())).append(" |");
            for (String d : datasets) {
                Double s = r.scores().get(d);
                sb.append(' ').append(s == null ? "–" : Tables.num(s, "%.2f")).append(" |");
            }
            sb.append(' ').append(Double.isNaN(r.average()) ? "–" : Tables.num(r.average(), "%.2f")).append(" |\n");
        }
        return sb.toString();
    }

    /** Wide CSV, one column per dataset then {@code average}; a missing value is an empty field. */
    public String toCsv() {
        StringBuilder sb = new StringBuilder("model,policy,policyLabel,budget");
        for (String d : datasets) {
            sb.append(',').append(Tables.csv(d));
        }
        sb.append(",average\n");
        for (Row r : rows) {
            sb.append(Tables.csv(r.model())).append(',').append(Tables.csv(r.policy())).append(',')
                    .append(Tables.csv(r.policyLabel())).append(',').append(r.budget() == 0 ? "" : r.budget());
            for (String d : datasets) {
                Double s = r.scores().get(d);
                sb.append(',').append(s == null ? "" : Tables.num(s, "%.4f"));
            }
            sb.append(',').append(Tables.num(r.average(), "%.4f")).append('\n');
        }
        return sb.toString();
    }

    public Path writeCsv(Path file) {
        return Tables.write(file, toCsv());
    }
}
