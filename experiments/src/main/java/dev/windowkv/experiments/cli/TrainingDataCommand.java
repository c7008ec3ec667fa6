package dev.windowkv.experiments.cli;

import dev.windowkv.engine.UserError;
import dev.windowkv.engine.model.Model;
import dev.windowkv.experiments.training.TrainingData;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code windowkv training-data}: dumps the trained model's training samples as token ids. */
@Command(name = "training-data", mixinStandardHelpOptions = true,
        description = "Write retrieval samples of the task suite, with answers, as token ids for experiments/training/train.py "
                + "(noise haystack, training seeds and phrasings only: the evaluation's are held out).")
public final class TrainingDataCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, description = "output folder")
    Path out;

    @Option(names = "--length", defaultValue = "256", description = "prompt tokens (default: ${DEFAULT-VALUE})")
    int length;

    @Option(names = "--samples", defaultValue = "1000", description = "samples to write (default: ${DEFAULT-VALUE})")
    int samples;

    @Option(names = "--seed", defaultValue = "1", description = "seed of the run (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--held-out", description = "write held-out samples instead: prose haystack, the suite's phrasing, "
            + "seeds below the training's (for train.py's progress check; the held-out test itself is a sweep)")
    boolean heldOut;

    @Option(names = "--model", description = "the model whose tokenizer is used (default: the shipped model)")
    Path model;

    @Override
    public Integer call() {
        if (length < 128 || samples < 1) {
            throw new UserError("--length must be at least 128 and --samples at least 1 (got " + length + ", " + samples + ")");
        }
        long t0 = System.nanoTime();
        try (Model m = Model.load(model != null ? model : DefaultModel.path())) {
            TrainingData.write(m.tokenizer(), seed, length, samples, heldOut, out);
        }
        System.err.printf("wrote %d samples of %d tokens to %s in %.1f s%n", samples, length, out, (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
