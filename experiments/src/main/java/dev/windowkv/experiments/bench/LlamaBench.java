package dev.windowkv.experiments.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.windowkv.engine.UserError;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * llama.cpp's own benchmark ({@code llama-bench}, built natively by
 * {@code engine/scripts/llama-cpp-native.sh}) run as a child process on the same file, with its
 * {@code -o json} output parsed. It is the speed reference: prefill is its pp test, decode its tg test.
 */
public final class LlamaBench {
    /** One llama-bench test: a prompt of {@code nPrompt} tokens or {@code nGen} generated ones after {@code nDepth} cached ones. */
    public record Test(int threads, int nPrompt, int nGen, int nDepth, double avgTokPerSec, double stddevTokPerSec,
                       String buildCommit, String cpuInfo) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path binary;

    public LlamaBench(Path binDir) {
        this.binary = binDir.resolve("llama-bench");
        if (!Files.isExecutable(binary)) {
            throw new UserError("no llama-bench at " + binary + "; build it with engine/scripts/llama-cpp-native.sh or pass --llama-bin");
        }
    }

    /** Runs llama-bench on {@code model}; the lists become its comma-separated -p/-n/-d/-t options. */
    public List<Test> run(Path model, List<Integer> threads, List<Integer> prompts, List<Integer> gens, int depth,
                          int repetitions) {
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "-m", model.toString(),
                "-t", join(threads), "-p", join(prompts), "-n", join(gens), "-d", Integer.toString(depth),
                "-r", Integer.toString(repetitions), "-o", "json"));
        try {
            Path out = Files.createTempFile("llama-bench", ".json");
            Path err = Files.createTempFile("llama-bench", ".log");
            try {
                Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                if (!p.waitFor(60, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("llama-bench did not finish within an hour");
                }
                if (p.exitValue() != 0) {
                    String log = Files.readString(err, StandardCharsets.UTF_8);
                    throw new UserError("llama-bench failed (exit " + p.exitValue() + "): "
                            + log.lines().reduce((a, b) -> b).orElse("no output"));
                }
                return parse(Files.readString(out, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UserError("cannot run " + binary + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The tests in llama-bench's {@code -o json} output (a JSON array, one object per test). */
    static List<Test> parse(String json) throws IOException {
        List<Test> tests = new ArrayList<>();
        for (JsonNode n : JSON.readTree(json)) {
            tests.add(new Test(n.path("n_threads").asInt(), n.path("n_prompt").asInt(), n.path("n_gen").asInt(),
                    n.path("n_depth").asInt(0), n.path("avg_ts").asDouble(), n.path("stddev_ts").asDouble(),
                    n.path("build_commit").asText(""), n.path("cpu_info").asText("")));
        }
        return tests;
    }

    private static String join(List<Integer> xs) {
        return String.join(",", xs.stream().map(String::valueOf).toList());
    }
}
