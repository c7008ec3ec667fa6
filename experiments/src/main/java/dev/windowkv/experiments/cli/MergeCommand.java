package dev.windowkv.experiments.cli;

import dev.windowkv.engine.UserError;
import dev.windowkv.experiments.sweep.ResultsFile;
import dev.windowkv.experiments.sweep.ShardMerge;
import dev.windowkv.experiments.sweep.SweepFolder;
import dev.windowkv.plots.SweepRow;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code windowkv merge}: joins shard result files into one, then writes the summary and plots. The
 * shards must come from one sweep (their folders' config.json ask for the same rows) and be complete,
 * unless {@code --partial}.
 */
@Command(name = "merge", mixinStandardHelpOptions = true, description = "Join the result files of sweep shards.")
public final class MergeCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, description = "output folder for the merged results.jsonl, config.json, summary and plots")
    Path out;

    @Option(names = "--no-plots", description = "skip the plots")
    boolean noPlots;

    @Option(names = "--partial", description = "merge even when shards are missing or unfinished (the summary then covers fewer rows)")
    boolean partial;

    @Parameters(arity = "1..*", description = "shard result files (results.shard*.jsonl)")
    List<Path> inputs;

    @Override
    public Integer call() {
        Path merged = out.resolve("results.jsonl");
        if (Files.exists(merged)) throw new UserError(merged + " exists already; choose another --out or remove it");
        ShardMerge.Result m = ShardMerge.merge(inputs, partial);
        try (ResultsFile f = ResultsFile.open(merged)) {
            SweepFolder.writeConfig(out, m.config());
            for (SweepRow r : m.rows()) f.append(r);
        }
        System.err.println(m.rows().size() + " rows from " + inputs.size() + " files → " + merged);
        if (m.duplicates() > 0) System.err.println(m.duplicates() + " rows were in more than one file (identical; kept once)");
        if (m.otherConfig() > 0) System.err.println(m.otherConfig() + " rows of another configuration left out");
        if (m.missing() > 0) System.err.println("--partial: " + m.missing() + " rows of this sweep are missing from the merge");
        Report.write(m.rows(), out, !noPlots, m.config().heatmapBudget());
        return 0;
    }
}
