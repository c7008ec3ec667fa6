package dev.windowkv.plots;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.XYChart;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Draws every figure the results allow, as PNG and SVG, plus the score summary as CSV.
 *
 * <p>{@code results} is a sweep file ({@code *.jsonl}, {@link SweepRow}s), a bench report
 * ({@code *.json}, {@link BenchReport}), or a directory whose top-level {@code *.jsonl} files are
 * read as one sweep and whose {@code *.json} files are each a bench report. Files written:
 * <ul>
 *   <li>{@code score-vs-kv-mib-<type>} and {@code score-vs-kv-percent-<type>} per task type;</li>
 *   <li>{@code niah-<policy>-b<budget>} per policy label with needle rows (FullKV as {@code -full});</li>
 *   <li>{@code layer-budget-b<budget>-len<length>} where rows record tokens kept per layer;</li>
 *   <li>{@code kept-token-map} where rows carry kept ranges ({@link KeptTokenMap});</li>
 *   <li>{@code score-vs-value-span-b<budget>} where rows record two or more value spans;</li>
 *   <li>{@code backend-throughput[-<file>]} per bench report;</li>
 *   <li>{@code summary.csv} (per model x task x policy x budget) when there are sweep rows.</li>
 * </ul>
 * With several models in one sweep, every sweep file name starts with the model's name. Titles start
 * with the sweep's name, from {@link PlotOptions#sweepName} or else the results folder's {@link #SWEEP_CONFIG}.
 */
public final class Plots {

    /** The copy of its configuration a sweep leaves beside its results; not a bench report. */
    public static final String SWEEP_CONFIG = "config.json";

    private Plots() {
    }

    public static List<Path> drawAll(Path results, Path outDir) {
        return drawAll(results, outDir, PlotOptions.defaults());
    }

    public static List<Path> drawAll(Path results, Path outDir, PlotOptions options) {
        List<Path> sweepFiles = new ArrayList<>();
        List<Path> benchFiles = new ArrayList<>();
        if (Files.isDirectory(results)) {
            try (Stream<Path> files = Files.list(results)) {
                files.sorted().forEach(f -> {
                    String name = f.getFileName().toString();
                    if (name.endsWith(".jsonl")) {
                        sweepFiles.add(f);
                    } else if (name.endsWith(".json") && !name.equals(SWEEP_CONFIG)) {
                        benchFiles.add(f);
                    }
                });
            } catch (IOException e) {
                throw new PlotInputException(results + ": cannot list results directory (" + e.getMessage() + ")", e);
            }
            if (sweepFiles.isEmpty() && benchFiles.isEmpty()) {
                throw new PlotInputException(results + ": no *.jsonl sweep or *.json bench files here; "
                        + "run a sweep or the backend benchmark first");
            }
        } else if (results.getFileName().toString().endsWith(".json")) {
            benchFiles.add(results);
        } else {
            sweepFiles.add(results); // includes a missing file, which readSweep reports
        }

        List<Path> written = new ArrayList<>();
        List<SweepRow> rows = new ArrayList<>();
        for (Path f : sweepFiles) {
            rows.addAll(ResultsReader.readSweep(f));
        }
        if (!rows.isEmpty()) {
            if (options.sweepName() == null) {
                options = options.withSweepName(sweepName(Files.isDirectory(results) ? results
                        : results.toAbsolutePath().getParent()));
            }
            written.addAll(drawSweep(rows, outDir, options));
            written.add(ScoreSummary.of(rows).writeCsv(outDir.resolve("summary.csv")));
        }
        for (Path f : benchFiles) {
            BenchReport report = ResultsReader.readBench(f);
            String stem = benchFiles.size() == 1 ? "backend-throughput"
                    : "backend-throughput-" + slug(f.getFileName().toString().replaceFirst("\\.json$", ""));
            written.addAll(ChartFiles.writeFigure(
                    BackendComparisonPlot.figure(report, options.width(), options.height()), outDir, stem));
        }
        return written;
    }

    /** The sweep figures, per model when the rows hold several. */
    public static List<Path> drawSweep(List<SweepRow> rows, Path outDir, PlotOptions options) {
        try {
            Files.createDirectories(outDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + outDir, e);
        }
        PolicyPalette palette = PolicyPalette.of(rows); // one palette: one look per policy in every figure
        Map<String, List<SweepRow>> byModel = new LinkedHashMap<>();
        for (SweepRow r : rows) {
            byModel.computeIfAbsent(Objects.requireNonNullElse(r.model(), ""), k -> new ArrayList<>()).add(r);
        }
        List<Path> written = new ArrayList<>();
        for (var e : byModel.entrySet()) {
            String prefix = byModel.size() == 1 ? "" : slug(e.getKey()) + "-";
            written.addAll(drawModel(e.getValue(), outDir, prefix, palette, options));
        }
        return written;
    }

    private static List<Path> drawModel(List<SweepRow> rows, Path outDir, String prefix, PolicyPalette palette,
                                        PlotOptions o) {
        List<Path> written = new ArrayList<>();
        int w = o.width();
        int h = o.height();

        // 1. score vs memory, one panel per task type, when some policy compressed the cache
        for (String type : new TreeSet<>(rows.stream().map(SweepRow::taskType).toList())) {
            if (rows.stream().noneMatch(r -> type.equals(r.taskType()) && !r.isFull())) {
                continue;
            }
            String t = slug(type);
            written.addAll(ChartFiles.writeFigure(ScoreVsMemoryPlot.chart(rows, type, ScoreVsMemoryPlot.Axis.MIB,
                    palette, w, h, o.sweepName()), outDir, prefix + "score-vs-kv-mib-" + t));
            written.addAll(ChartFiles.writeFigure(ScoreVsMemoryPlot.chart(rows, type,
                    ScoreVsMemoryPlot.Axis.PERCENT_OF_FULL, palette, w, h, o.sweepName()), outDir,
                    prefix + "score-vs-kv-percent-" + t));
        }

        // 2. needle heatmaps at one budget, one per policy label (FullKV too, as the ceiling)
        List<SweepRow> needle = rows.stream().filter(r -> r.depth() != null).toList();
        Integer needleBudget = o.needleBudget() != null ? o.needleBudget() : smallestBudget(needle);
        if (!needle.isEmpty()) {
            List<String> labels = needle.stream().map(SweepRow::label).distinct().sorted(palette.labelOrder()).toList();
            for (String label : labels) {
                boolean full = needle.stream().anyMatch(r -> label.equals(r.label()) && r.isFull());
                int budget = full ? 0 : needleBudget == null ? -1 : needleBudget;
                HeatMapChart chart = NeedleHeatmap.chart(needle, label, budget, w, h, o.sweepName());
                if (chart != null) {
                    written.addAll(ChartFiles.writeFigure(chart, outDir,
                            prefix + "niah-" + slug(label) + (full ? "-full" : "-b" + budget)));
                }
            }
        }

        // 3. per-layer budget profile
        List<SweepRow> layered = rows.stream().filter(r -> !r.isFull() && r.tokensKeptPerLayer() != null
                && r.tokensKeptPerLayer().length > 0).toList();
        Integer budget = o.profileBudget() != null ? o.profileBudget() : smallestBudget(layered);
        if (budget != null) {
            Integer length = o.profileLength() != null ? o.profileLength()
                    : layered.stream().filter(r -> r.budget().equals(budget)).map(SweepRow::length)
                    .max(Integer::compare).orElse(null);
            if (length != null) {
                XYChart chart = LayerBudgetPlot.chart(layered, budget, length, palette, w, h, o.sweepName());
                if (chart != null) {
                    written.addAll(ChartFiles.writeFigure(chart, outDir,
                            prefix + "layer-budget-b" + budget + "-len" + length));
                }
            }
        }
        // 4. the kept-token map of one sample, where rows carry kept ranges
        XYChart map = KeptTokenMap.chart(rows, o.needleBudget(), palette, w, h);
        if (map != null) written.addAll(ChartFiles.writeFigure(map, outDir, prefix + "kept-token-map"));

        // 5. score against value span at one budget (the heatmaps')
        Integer spanBudget = ScoreVsValueSpanPlot.budget(rows, o.needleBudget());
        XYChart spanChart = spanBudget == null ? null : ScoreVsValueSpanPlot.chart(rows, spanBudget, palette, w, h);
        if (spanChart != null) {
            written.addAll(ChartFiles.writeFigure(spanChart, outDir, prefix + "score-vs-value-span-b" + spanBudget));
        }
        return written;
    }

    /**
     * The {@code name} of the sweep whose {@link #SWEEP_CONFIG} is in {@code dir}, for figure titles;
     * null when there is none or it cannot be read (the figures are then titled without it: a
     * title is not worth failing a redraw for).
     */
    public static String sweepName(Path dir) {
        if (dir == null) {
            return null;
        }
        Path config = dir.resolve(SWEEP_CONFIG);
        if (!Files.isRegularFile(config)) {
            return null;
        }
        try {
            JsonNode name = new ObjectMapper().readTree(config.toFile()).get("name");
            return name != null && name.isTextual() && !name.asText().isBlank() ? name.asText() : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The smallest budget among compressed rows, or null if there are none. */
    static Integer smallestBudget(List<SweepRow> rows) {
        return rows.stream().filter(r -> !r.isFull()).map(SweepRow::budget).min(Integer::compare).orElse(null);
    }

    /** A file-name-safe form: lower case, runs of other characters as one dash. */
    static String slug(String s) {
        String slug = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.]+", "-").replaceAll("^-+|-+$", "");
        return slug.isEmpty() ? "unnamed" : slug;
    }
}
