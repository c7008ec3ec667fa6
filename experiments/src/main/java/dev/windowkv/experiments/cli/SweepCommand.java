package dev.windowkv.experiments.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.windowkv.engine.backend.Backends;
import dev.windowkv.experiments.bench.BackendComparison;
import dev.windowkv.engine.UserError;
import dev.windowkv.experiments.sweep.ProgressLog;
import dev.windowkv.experiments.sweep.ResultsFile;
import dev.windowkv.experiments.sweep.SweepFolder;
import dev.windowkv.experiments.sweep.SweepPreflight;
import dev.windowkv.experiments.sweep.Shard;
import dev.windowkv.experiments.sweep.SweepConfig;
import dev.windowkv.experiments.sweep.SweepRunner;
import dev.windowkv.plots.BenchReport;
import dev.windowkv.plots.Plots;
import dev.windowkv.plots.SweepRow;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code windowkv sweep}: the main job. Resumable, shardable, deterministic. */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = {"Run a sweep of KV policies × budgets × tasks × lengths × depths, writing one JSON line per sample,",
                "then the summary table and the plots. Run the same command again to resume."})
public final class SweepCommand implements Callable<Integer> {
    @Option(names = "--config", description = "sweep config JSON (default: the built-in default sweep on the default model)")
    Path config;

    @Option(names = "--set", description = "override a config key, key=value with a JSON value (repeatable), e.g. --set samples=3 --set 'lengths=[1024]'")
    List<String> overrides;

    @Option(names = "--out", description = "output folder (default: results/<name>)")
    Path out;

    @Option(names = "--shard", description = "run only shard i of N (i/N), for cluster array jobs; join shards with 'merge'")
    String shard;

    @Option(names = "--no-plots", description = "skip drawing the plots at the end")
    boolean noPlots;

    @Option(names = "--no-progress", description = "no progress bar; a log line every --log-every rows instead (for batch logs)")
    boolean noProgress;

    @Option(names = "--log-every", defaultValue = "100", description = "with --no-progress: rows between log lines (0: none; default ${DEFAULT-VALUE})")
    int logEvery;

    @Override
    public Integer call() {
        List<String> sets = overrides == null ? List.of() : overrides;
        SweepConfig c = config != null ? SweepConfig.load(config, sets) : SweepConfig.defaults(sets);
        Shard s = Shard.parse(shard);
        if (logEvery < 0) throw new UserError("--log-every must be ≥ 0 (0: no log lines), got " + logEvery);
        Path dir = out != null ? out : Path.of("results", c.name());
        Path results = dir.resolve("results" + s.suffix() + ".jsonl");
        SweepRunner runner = new SweepRunner(c, s, noProgress ? ProgressLog.Mode.lines(logEvery) : ProgressLog.Mode.BAR);
        // Everything that can be checked is checked before the first prompt is built or a file written.
        SweepPreflight.check(runner.plan());
        long t0 = System.nanoTime();
        int added;
        try (ResultsFile file = ResultsFile.open(results)) {
            SweepFolder.writeConfig(dir, c);
            Set<String> mine = runner.myIds();
            long other = file.rows().stream().filter(r -> !mine.contains(ResultsFile.key(r))).count();
            if (other > 0) {
                System.err.println(other + (other == 1 ? " row" : " rows") + " of another configuration kept in " + results
                        + " (not reused, not reported); use --out for a new folder");
            }
            added = runner.run(file);
        }
        System.err.printf("%d new rows in %.1f min → %s%n", added, (System.nanoTime() - t0) / 6e10, results);
        if (s.count() > 1) {
            System.err.println("shard " + s.index() + "/" + s.count() + " done; when all shards are done: windowkv merge --out "
                    + dir + " " + dir + "/results.shard*.jsonl");
            return 0;
        }
        if (c.backendComparison() != null) compareBackends(c, dir);
        Set<String> ids = runner.plan().ids();
        List<SweepRow> rows = ResultsFile.read(results).stream().filter(r -> ids.contains(ResultsFile.key(r))).toList();
        Report.write(rows, dir, !noPlots, c.heatmapBudget());
        Path backends = dir.resolve(BACKENDS_FILE);
        if (!noPlots && Files.exists(backends)) Plots.drawAll(backends, dir.resolve("plots"));
        return 0;
    }

    static final String BACKENDS_FILE = "backends.json";

    /**
     * The fourth figure: every Java backend on the sweep's first model and one prompt. Run once per
     * results folder (a resumed sweep keeps the first measurement).
     */
    private static void compareBackends(SweepConfig c, Path dir) {
        Path file = dir.resolve(BACKENDS_FILE);
        if (Files.exists(file)) return;
        int threads = c.threads() != null ? c.threads() : Backends.defaultThreads();
        int budget = c.policies().stream().flatMap(p -> p.budgets().stream()).min(Integer::compare).orElse(64);
        System.err.println("backend comparison on " + c.models().getFirst() + " (" + c.backendComparison() + "-token prompt):");
        BenchReport r = BackendComparison.run(SweepRunner.modelPath(c.models().getFirst()), Backends.JAVA_NAMES, threads,
                c.backendComparison(), 16, Math.min(budget, c.backendComparison() / 2), c.seed(), System.err);
        try {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), r);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write " + file, e);
        }
    }
}
