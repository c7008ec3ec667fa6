package dev.windowkv.experiments.cli;

import dev.windowkv.experiments.longbench.LongBenchDataset;
import dev.windowkv.plots.LongBenchTable;
import dev.windowkv.plots.PlotOptions;
import dev.windowkv.plots.Plots;
import dev.windowkv.plots.ScoreSummary;
import dev.windowkv.plots.SweepRow;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a finished sweep leaves in its folder: {@code summary.md} (the task-type overview, the
 * per-task table and, for LongBench rows, the paper's table), {@code summary.csv} (per model x task
 * x policy x budget), {@code summary-by-type.csv}, {@code longbench.csv}, and the plots. The rows
 * given are the ones to report: the caller picks those of the current configuration.
 */
final class Report {
    private Report() {}

    static final String SUMMARY_MD = "summary.md";
    static final String SUMMARY_CSV = "summary.csv";
    static final String BY_TYPE_CSV = "summary-by-type.csv";
    static final String LONGBENCH_CSV = "longbench.csv";

    /** LongBench's datasets in the column order of its papers: the English ones, then the Chinese ones. */
    static final List<String> LONGBENCH_COLUMNS =
            Stream.concat(LongBenchDataset.ENGLISH.stream(), LongBenchDataset.CHINESE.stream()).toList();

    static void write(List<SweepRow> rows, Path dir, boolean plots, Integer heatmapBudget) {
        String sweep = Plots.sweepName(dir);
        ScoreSummary perTask = ScoreSummary.of(rows);
        ScoreSummary byType = ScoreSummary.byTaskType(rows);
        LongBenchTable longBench = LongBenchTable.of(rows, LONGBENCH_COLUMNS);

        String overview = "## Per task type (tasks pooled, every sample weighs the same)\n\n" + byType.toMarkdown();
        String lb = longBench.isEmpty() ? ""
                : "\n## LongBench (mean score × 100 per dataset; Avg. = mean over the datasets)\n\n" + longBench.toMarkdown();
        String md = "# Summary" + (sweep == null ? "" : " of sweep " + sweep) + "\n\n"
                + "Mean score ± standard error of the mean over n samples; KV cache as % of FullKV.\n\n"
                + overview + lb + "\n## Per task\n\n" + perTask.toMarkdown();
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(SUMMARY_MD), md);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to " + dir, e);
        }
        perTask.writeCsv(dir.resolve(SUMMARY_CSV));
        byType.writeCsv(dir.resolve(BY_TYPE_CSV));
        if (!longBench.isEmpty()) longBench.writeCsv(dir.resolve(LONGBENCH_CSV));
        System.out.println(overview + lb);
        System.out.println("per-task table: " + dir.resolve(SUMMARY_MD));
        if (plots) {
            PlotOptions o = PlotOptions.defaults().withSweepName(sweep);
            if (heatmapBudget != null) o = o.withBudget(heatmapBudget);
            List<Path> files = Plots.drawSweep(rows, dir.resolve("plots"), o);
            System.err.println(files.size() + " plot files in " + dir.resolve("plots"));
        }
    }
}
