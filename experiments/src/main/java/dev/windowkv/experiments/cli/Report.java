package dev.windowkv.experiments.cli;

import dev.windowkv.plots.PlotOptions;
import dev.windowkv.plots.Plots;
import dev.windowkv.plots.ScoreSummary;
import dev.windowkv.plots.SweepRow;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What a finished sweep leaves: summary table (stdout, CSV, Markdown) and the plots. */
final class Report {
    private Report() {}

    static void write(List<SweepRow> rows, Path dir, boolean plots, Integer heatmapBudget) {
        ScoreSummary summary = ScoreSummary.of(rows);
        String md = summary.toMarkdown();
        System.out.println(md);
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("summary.md"), md);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to " + dir, e);
        }
        summary.writeCsv(dir.resolve("summary.csv"));
        if (plots) {
            PlotOptions o = PlotOptions.defaults();
            if (heatmapBudget != null) o = new PlotOptions(o.width(), o.height(), heatmapBudget, heatmapBudget, o.profileLength());
            List<Path> files = Plots.drawSweep(rows, dir.resolve("plots"), o);
            System.err.println(files.size() + " plot files in " + dir.resolve("plots"));
        }
    }
}
