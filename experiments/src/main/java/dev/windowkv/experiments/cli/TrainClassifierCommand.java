package dev.windowkv.experiments.cli;

import dev.windowkv.experiments.classifier.TrainTaskClassifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code windowkv train-classifier}: retrains the learned QA-vs-aggregation classifier's head. */
@Command(name = "train-classifier", mixinStandardHelpOptions = true,
        description = "Train the logistic head of the learned task classifier on generated, labelled prompts; prints held-out accuracy.")
public final class TrainClassifierCommand implements Callable<Integer> {
    @Option(names = "--out", description = "weights JSON (default: the shipped resource in the source tree)")
    Path out;

    @Option(names = "--seed", defaultValue = "" + TrainTaskClassifier.DEFAULT_SEED, description = "(default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--per-task", defaultValue = "" + TrainTaskClassifier.DEFAULT_PER_TASK, description = "prompts per task (default: ${DEFAULT-VALUE})")
    int perTask;

    @Option(names = "--held-out", defaultValue = "" + TrainTaskClassifier.DEFAULT_HELD_OUT, description = "held-out fraction (default: ${DEFAULT-VALUE})")
    double heldOut;

    @Override
    public Integer call() throws Exception {
        List<String> args = new ArrayList<>(List.of("--seed", Long.toString(seed), "--per-task", Integer.toString(perTask),
                "--held-out", Double.toString(heldOut)));
        Path target = out != null ? out : Path.of(System.getProperty("windowkv.home", ".")).resolve(TrainTaskClassifier.DEFAULT_OUT);
        args.add("--out");
        args.add(target.toString());
        TrainTaskClassifier.main(args.toArray(String[]::new));
        return 0;
    }
}
