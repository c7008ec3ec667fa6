package dev.windowkv.experiments.cli;

import dev.windowkv.plots.PlotOptions;
import dev.windowkv.engine.UserError;
import dev.windowkv.experiments.sweep.ModelNotFoundError;
import dev.windowkv.experiments.sweep.ProgressLog;
import dev.windowkv.experiments.sweep.Shard;
import dev.windowkv.experiments.sweep.SweepConfig;
import dev.windowkv.experiments.sweep.SweepFolder;
import dev.windowkv.experiments.sweep.SweepPlan;
import dev.windowkv.experiments.sweep.SweepRunner;
import dev.windowkv.plots.Plots;
import dev.windowkv.plots.ScoreSummary;
import dev.windowkv.plots.SweepRow;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code windowkv plot}: redraws the figures from result files, without running anything. */
@Command(name = "plot", mixinStandardHelpOptions = true,
        description = "Redraw the plots from a sweep results file (.jsonl), a bench report (.json) or a results folder.")
public final class PlotCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "results file or folder")
    Path results;

    @Option(names = "--out", description = "where to write the figures (default: <results folder>/plots)")
    Path out;

    @Option(names = "--budget", description = "budget of the needle heatmaps and the layer profile")
    Integer budget;

    @Override
    public Integer call() {
        Path dir = out != null ? out : (results.toFile().isDirectory() ? results : results.toAbsolutePath().getParent()).resolve("plots");
        PlotOptions o = PlotOptions.defaults();
        if (budget != null) o = new PlotOptions(o.width(), o.height(), budget, budget, o.profileLength());
        SweepConfig config = results.toFile().isDirectory() ? SweepFolder.readConfig(results) : null;
        if (config == null) {
            List<Path> files = Plots.drawAll(results, dir, o);
            for (Path f : files) System.out.println(f);
            return 0;
        }
        // A sweep folder: only the rows of the config it reports, each once (results and shards).
        SweepPlan plan = new SweepRunner(config, Shard.ALL, ProgressLog.Mode.quiet()).plan();
        long[] other = new long[1];
        List<SweepRow> rows;
        try {
            rows = SweepFolder.rowsOf(results, plan, other);
        } catch (ModelNotFoundError e) {
            // A results folder copied away from its models: the identities cannot be recomputed.
            System.err.println("cannot check the rows against config.json (" + e.getMessage() + "); drawing every row in "
                    + results + ", each identity once");
            rows = SweepFolder.allRows(results);
        }
        if (other[0] > 0) System.err.println(other[0] + " rows of another configuration in " + results + " left out");
        if (rows.isEmpty()) throw new UserError(results + " holds no rows of the configuration in its config.json");
        if (budget == null && config.heatmapBudget() != null) {
            o = new PlotOptions(o.width(), o.height(), config.heatmapBudget(), config.heatmapBudget(), o.profileLength());
        }
        List<Path> files = new java.util.ArrayList<>(Plots.drawSweep(rows, dir, o));
        files.add(ScoreSummary.of(rows).writeCsv(dir.resolve("summary.csv")));
        for (Path f : files) System.out.println(f);
        Path backends = results.resolve("backends.json");
        if (java.nio.file.Files.isRegularFile(backends)) Plots.drawAll(backends, dir, o).forEach(System.out::println);
        return 0;
    }
}
