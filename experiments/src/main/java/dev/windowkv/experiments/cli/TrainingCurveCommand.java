package dev.windowkv.experiments.cli;

import dev.windowkv.experiments.training.TrainingCurve;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code windowkv training-curve}: draws a train.py run's loss and accuracy curves. */
@Command(name = "training-curve", mixinStandardHelpOptions = true,
        description = "Draw the loss and accuracy curves of an experiments/training/train.py run from its loss.csv.")
public final class TrainingCurveCommand implements Callable<Integer> {
    @Option(names = "--loss", required = true, description = "the run's loss.csv")
    Path loss;

    @Option(names = "--out", defaultValue = "experiments/training/figures", description = "output folder (default: ${DEFAULT-VALUE})")
    Path out;

    @Override
    public Integer call() {
        for (Path p : TrainingCurve.write(loss, out)) System.err.println("wrote " + p);
        return 0;
    }
}
