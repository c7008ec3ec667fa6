package dev.windowkv.experiments.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.windowkv.experiments.cli.UserErrorExitTest.assertOneLineError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code train-classifier --out FILE} writes weights that {@code generate --classifier-weights FILE} reads back. */
class TrainClassifierCommandTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void home() {
        Cli.useCheckoutAsHome();
    }

    @Test
    void theDefaultOutputIsOutsideTheSourceTree() {
        assertEquals(Path.of("results/classifier/task-classifier.json"), Path.of(TrainClassifierCommand.DEFAULT_OUT));
        assertFalse(TrainClassifierCommand.DEFAULT_OUT.contains("src"));
    }

    @Test
    void trainedWeightsAreLoadedByGenerate() throws Exception {
        Path weights = dir.resolve("mine/weights.json");
        Cli.Outcome trained = Cli.run("train-classifier", "--per-task", "2", "--out", weights.toString());
        assertEquals(0, trained.exit(), trained.err());
        assertTrue(Files.size(weights) > 1000, "weights written");
        assertTrue(trained.out().contains("--classifier-weights " + weights), trained.out());
        Cli.Outcome o = Cli.run("generate", "--prompt", "Question: who wrote the letter? Answer:", "--max-tokens", "1",
                "--classifier-weights", weights.toString());
        assertEquals(0, o.exit(), o.err());
        assertTrue(o.err().contains("classifier: "), o.err());
    }

    @Test
    void missingOrForeignWeightsAreOneLine() throws Exception {
        assertOneLineError(Cli.run("generate", "--prompt", "hi", "--classifier-weights", dir.resolve("none.json").toString()),
                "classifier weights not found", "none.json");
        Path notWeights = dir.resolve("other.json");
        Files.writeString(notWeights, "{\"model\": \"default\"}");
        assertOneLineError(Cli.run("generate", "--prompt", "hi", "--classifier-weights", notWeights.toString()),
                "other.json", "train-classifier");
        Path empty = dir.resolve("empty.json");
        Files.writeString(empty, "");
        assertOneLineError(Cli.run("generate", "--prompt", "hi", "--classifier-weights", empty.toString()), "empty.json");
        assertOneLineError(Cli.run("train-classifier", "--out", dir.toString()), "is a folder");
    }
}
