package dev.windowkv.experiments.cli;

import dev.windowkv.plots.PlotOptions;
import dev.windowkv.plots.Plots;
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
        List<Path> files = Plots.drawAll(results, dir, o);
        for (Path f : files) System.out.println(f);
        return 0;
    }
}
