package dev.windowkv.experiments.cli;

import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.engine.UserError;
import dev.windowkv.experiments.defaultmodel.DefaultModelRecipe;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code windowkv make-model}: rebuilds the shipped default model from its recipe. */
@Command(name = "make-model", mixinStandardHelpOptions = true,
        description = "Rebuild the default model (constructed induction model + learned BPE vocabulary).")
public final class MakeModelCommand implements Callable<Integer> {
    @Option(names = "--out", description = "output GGUF (default: the shipped model's path)")
    Path out;

    @Option(names = "--seed", description = "seed of the vocabulary corpus and the token codes (default: the shipped model's)")
    Long seed;

    @Option(names = "--type", defaultValue = "Q8_0", description = "weight type: F32, F16 or Q8_0 (default: ${DEFAULT-VALUE})")
    String type;

    @Override
    public Integer call() throws Exception {
        GGMLType t;
        try {
            t = GGMLType.valueOf(type);
        } catch (IllegalArgumentException e) {
            throw new UserError("--type must be F32, F16 or Q8_0 (got '" + type + "')");
        }
        if (t != GGMLType.F32 && t != GGMLType.F16 && t != GGMLType.Q8_0) {
            throw new UserError("--type must be F32, F16 or Q8_0 (got '" + type + "')");
        }
        Path target = out != null ? out : DefaultModel.path();
        long t0 = System.nanoTime();
        DefaultModelRecipe.make(target, seed != null ? seed : DefaultModelRecipe.SEED, t);
        System.err.printf("wrote %s (%d bytes) in %.1f s%n", target, Files.size(target), (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
