package dev.windowkv.experiments.sweep;

import dev.windowkv.experiments.cli.Cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A sweep small enough for a test on the shipped model: one task, 256-token prompts, three depths,
 * FullKV and two policies at budget 64, four new tokens. 3 cells × 3 policy runs = 9 rows. Its
 * uninterrupted, unsharded run is made once per test JVM and is the reference the other runs
 * must equal.
 */
public final class TinySweep {
    public static final int ROWS = 9;
    static final String POLICIES = "policies=[{\"policy\":\"full\",\"label\":\"FullKV\"},"
            + "{\"policy\":\"streamingllm\",\"label\":\"StreamingLLM\",\"budgets\":[64]},"
            + "{\"policy\":\"windowkv\",\"label\":\"WindowKV\",\"budgets\":[64],\"options\":{\"groupSize\":\"2\"}}]";

    private static Path reference;

    private TinySweep() {}

    /** {@code sweep} arguments of the tiny sweep, writing to {@code out}, followed by {@code extra}. */
    public static List<String> args(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("sweep",
                "--set", "name=tiny", "--set", "tasks=[\"niah_single\"]", "--set", "lengths=[256]",
                "--set", "depths=[0.0,0.5,1.0]", "--set", "samples=1", "--set", "maxNewTokens=4", "--set", "valueSpans=null",
                "--set", "threads=2", "--set", "backendComparison=null", "--set", POLICIES, "--no-progress", "--no-plots",
                "--out", out.toString()));
        a.addAll(List.of(extra));
        return a;
    }

    public static Cli.Outcome run(Path out, String... extra) {
        Cli.useCheckoutAsHome();
        Cli.Outcome o = Cli.run(args(out, extra).toArray(String[]::new));
        if (o.exit() != 0) throw new AssertionError("tiny sweep failed (" + o.exit() + "): " + o.err());
        return o;
    }

    /** results.jsonl of one uninterrupted, unsharded run of the tiny sweep (made on first use). */
    public static synchronized Path reference() {
        if (reference == null) {
            try {
                Path dir = Files.createTempDirectory("tiny-sweep-reference");
                run(dir);
                reference = dir.resolve("results.jsonl");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return reference;
    }
}
