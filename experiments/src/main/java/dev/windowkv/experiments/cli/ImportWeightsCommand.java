package dev.windowkv.experiments.cli;

import dev.windowkv.engine.UserError;
import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.engine.gguf.GGUFFile;
import dev.windowkv.experiments.training.TrainedWeights;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code windowkv import-weights}: writes a training run's weights as a GGUF model. */
@Command(name = "import-weights", mixinStandardHelpOptions = true,
        description = "Write the weights of an experiments/training/train.py run (weights.json + weights.bin) as a llama GGUF "
                + "with the tokenizer of the model that made its training data.")
public final class ImportWeightsCommand implements Callable<Integer> {
    @Option(names = "--in", required = true, description = "the --out folder of train.py")
    Path in;

    @Option(names = "--out", required = true, description = "the GGUF to write")
    Path out;

    @Option(names = "--type", defaultValue = "Q8_0", description = "matrix type: F32 or Q8_0 (default: ${DEFAULT-VALUE})")
    String type;

    @Option(names = "--tokenizer-from", description = "the model whose tokenizer made the training data (default: the shipped model)")
    Path tokenizerFrom;

    @Override
    public Integer call() throws Exception {
        GGMLType t = switch (type) {
            case "F32" -> GGMLType.F32;
            case "Q8_0" -> GGMLType.Q8_0;
            default -> throw new UserError("--type must be F32 or Q8_0 (got '" + type + "')");
        };
        TrainedWeights w = TrainedWeights.read(in);
        String description = "Trained by the project (issue 17): experiments/training/train.py, step " + w.meta().get("step")
                + ", " + w.meta().get("tokens") + " tokens, seed " + w.meta().get("seed")
                + "; retrieval samples of the task suite (noise haystack, training phrasings and seeds). "
                + "See experiments/training/MODEL_CARD.md.";
        try (GGUFFile source = GGUFFile.open(tokenizerFrom != null ? tokenizerFrom : DefaultModel.path())) {
            w.writeGguf(out, source, t, "windowkv-trained-" + w.config().nLayers() + "L", description);
        }
        System.err.printf("wrote %s (%d bytes)%n", out, Files.size(out));
        return 0;
    }
}
