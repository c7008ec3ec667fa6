package dev.windowkv.experiments.cli;

import dev.windowkv.engine.UserError;
import dev.windowkv.experiments.classifier.TaskClassifierWeights;
import dev.windowkv.experiments.classifier.TrainTaskClassifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code windowkv train-classifier}: retrains the learned QA-vs-aggregation classifier's head. */
@Command(name = "train-classifier", mixinStandardHelpOptions = true,
        description = "Train the logistic head of the learned task classifier on generated, labelled prompts; prints held-out accuracy.")
public final class TrainClassifierCommand implements Callable<Integer> {
    /** Generated output stays out of the source tree; the shipped head changes only when asked by name. */
    static final String DEFAULT_OUT = "results/classifier/" + TaskClassifierWeights.RESOURCE;

    @Option(names = "--out", paramLabel = "FILE",
            description = "weights JSON, read back by generate --classifier-weights FILE (default: ${DEFAULT-VALUE})",
            defaultValue = DEFAULT_OUT)
    Path out;

    @Option(names = "--seed", defaultValue = "" + TrainTaskClassifier.DEFAULT_SEED, description = "(default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--per-task", defaultValue = "" + TrainTaskClassifier.DEFAULT_PER_TASK, description = "prompts per task (default: ${DEFAULT-VALUE})")
    int perTask;

    @Option(names = "--held-out", defaultValue = "" + TrainTaskClassifier.DEFAULT_HELD_OUT, description = "held-out fraction (default: ${DEFAULT-VALUE})")
    double heldOut;

    @Override
    public Integer call() throws Exception {
        if (perTask < 1) throw new UserError("--per-task must be at least 1 (got " + perTask + ")");
        if (!(heldOut >= 0 && heldOut < 1)) throw new UserError("--held-out must be in [0, 1) (got " + heldOut + ")");
        if (Files.isDirectory(out)) throw new UserError("--out " + out + " is a folder; give the weights file's name, e.g. " + out.resolve(TaskClassifierWeights.RESOURCE));
        try {
            TrainTaskClassifier.main(new String[] {"--seed", Long.toString(seed), "--per-task", Integer.toString(perTask),
                    "--held-out", Double.toString(heldOut), "--out", out.toString()});
        } catch (IOException e) {
            throw new UserError("cannot write the classifier weights to " + out + " (" + e + ")");
        }
        System.out.println("use it with: windowkv generate --classifier-weights " + out + " ...");
        return 0;
    }
}
