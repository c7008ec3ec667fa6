package dev.windowkv.experiments.cli;

import dev.windowkv.engine.UserError;
import dev.windowkv.experiments.sweep.ResultsFile;
import dev.windowkv.plots.SweepRow;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code windowkv merge}: joins shard result files into one, then writes the summary and plots. */
@Command(name = "merge", mixinStandardHelpOptions = true, description = "Join the result files of sweep shards.")
public final class MergeCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, description = "output folder for the merged results.jsonl, summary and plots")
    Path out;

    @Option(names = "--no-plots", description = "skip the plots")
    boolean noPlots;

    @Parameters(arity = "1..*", description = "shard result files (results.shard*.jsonl)")
    List<Path> inputs;

    @Override
    public Integer call() {
        Path merged = out.resolve("results.jsonl");
        if (Files.exists(merged)) throw new UserError(merged + " exists already; choose another --out or remove it");
        Map<String, SweepRow> rows = new LinkedHashMap<>();
        for (Path in : inputs) {
            for (SweepRow r : ResultsFile.read(in)) rows.putIfAbsent(ResultsFile.key(r), r);
        }
        try (ResultsFile f = ResultsFile.open(merged)) {
            for (SweepRow r : rows.values()) f.append(r);
        }
        System.err.println(rows.size() + " rows from " + inputs.size() + " files → " + merged);
        Report.write(ResultsFile.read(merged), out, !noPlots, null);
        return 0;
    }
}
