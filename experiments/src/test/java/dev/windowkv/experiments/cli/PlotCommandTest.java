package dev.windowkv.experiments.cli;

import dev.windowkv.experiments.sweep.TinySweep;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code windowkv plot} redraws the figures from a results file alone, without running the model. */
class PlotCommandTest {
    static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @TempDir
    Path dir;

    static List<Path> listed(Cli.Outcome o) {
        return o.out().lines().filter(l -> !l.isBlank()).map(Path::of).toList();
    }

    static void assertPngs(List<Path> files, String... expectedNames) throws Exception {
        List<Path> pngs = files.stream().filter(p -> p.toString().endsWith(".png")).toList();
        for (String name : expectedNames) {
            assertTrue(pngs.stream().anyMatch(p -> p.getFileName().toString().equals(name)), name + " among " + pngs);
        }
        for (Path png : pngs) {
            byte[] head = Arrays.copyOf(Files.readAllBytes(png), 8);
            assertArrayEquals(PNG_SIGNATURE, head, png + " is a PNG");
            assertTrue(Files.size(png) > 2000, png + " has a drawing in it");
        }
    }

    @Test
    void redrawsFromAResultsFileIntoTheGivenFolder() throws Exception {
        Path results = dir.resolve("results.jsonl");
        Files.copy(TinySweep.reference(), results);
        Path out = dir.resolve("figures");
        Cli.Outcome o = Cli.run("plot", results.toString(), "--out", out.toString(), "--budget", "64");
        assertEquals(0, o.exit(), o.err());
        List<Path> files = listed(o);
        assertTrue(files.stream().allMatch(f -> f.startsWith(out) && Files.exists(f)), files.toString());
        // The needle heatmaps (one per policy at the budget), and the score-against-memory figure.
        assertPngs(files, "niah-fullkv-full.png", "niah-streamingllm-b64.png", "niah-windowkv-b64.png",
                "score-vs-kv-percent-qa.png");
    }

    @Test
    void redrawsAResultsFolderIntoItsPlotsFolder() throws Exception {
        // A sweep's folder as the sweep leaves it: its results and the copy of its config.
        Files.copy(TinySweep.reference(), dir.resolve("results.jsonl"));
        Files.copy(TinySweep.reference().resolveSibling("config.json"), dir.resolve("config.json"));
        Cli.Outcome o = Cli.run("plot", dir.toString());
        assertEquals(0, o.exit(), o.err());
        List<Path> files = listed(o);
        assertTrue(files.stream().allMatch(f -> f.startsWith(dir.resolve("plots"))), files.toString());
        assertPngs(files, "score-vs-kv-percent-qa.png");
    }

    @Test
    void aSweepFolderDrawsOnlyItsConfigsRowsAndStillDrawsWhenItsModelIsElsewhere() throws Exception {
        Path sweep = dir.resolve("sweep");
        TinySweep.run(sweep);
        TinySweep.run(sweep, "--set", "depths=[0.5]"); // 6 rows of the first config stay in the file
        Cli.Outcome o = Cli.run("plot", sweep.toString(), "--out", dir.resolve("figs").toString());
        assertEquals(0, o.exit(), o.err());
        assertTrue(o.err().contains("6 rows of another configuration in " + sweep + " left out"), o.err());

        // Copied away from its model: the identities cannot be recomputed, every row is drawn once, and it says so.
        Path config = sweep.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"default\"", "\"/elsewhere/model.gguf\""));
        Cli.Outcome away = Cli.run("plot", sweep.toString(), "--out", dir.resolve("figs2").toString());
        assertEquals(0, away.exit(), away.err());
        assertTrue(away.err().contains("cannot check the rows against config.json (model file not found: /elsewhere/model.gguf"),
                away.err());
        assertPngs(listed(away), "score-vs-kv-percent-qa.png");
    }
}
