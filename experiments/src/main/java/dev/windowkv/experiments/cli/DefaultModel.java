package dev.windowkv.experiments.cli;

import java.nio.file.Path;

/** Where the model the project ships lives: {@code experiments/models/} of the checkout. */
public final class DefaultModel {
    private DefaultModel() {}

    public static final String FILE = "windowkv-induction.gguf";

    public static Path path() {
        String home = System.getProperty("windowkv.home");
        Path root = home != null ? Path.of(home) : Path.of(".");
        Path p = root.resolve("experiments/models").resolve(FILE);
        if (!p.toFile().exists() && home == null) p = Path.of("models").resolve(FILE); // run from experiments/
        return p;
    }
}
