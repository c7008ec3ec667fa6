package dev.windowkv.engine.oracle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * llama.cpp as a subprocess: the native build's {@code windowkv-llama-oracle}
 * ({@code engine/scripts/llama-oracle.cpp}, built by {@code engine/scripts/llama-cpp-oracle.sh}), for
 * architectures the in-process binding's llama.cpp (b4916, March 2025) cannot load, such as qwen3.
 * It takes token ids and gives token ids and log-probabilities, so no bias bisection is needed.
 */
final class NativeLlamaCpp {
    /** The greedy token and the top-k (token, log-probability) pairs after one context. */
    record Step(int argmax, int[] tokens, double[] logProbs) {}

    private NativeLlamaCpp() {}

    /** Where llama-cpp-oracle.sh puts the binary. */
    static Path executable() {
        String cacheEnv = System.getenv("WINDOWKV_CACHE");
        Path cache = cacheEnv != null && !cacheEnv.isBlank() ? Path.of(cacheEnv)
                : Path.of(System.getProperty("user.home"), ".cache", "windowkv");
        return cache.resolve("llama-oracle").resolve("windowkv-llama-oracle");
    }

    static boolean available() {
        return Files.isExecutable(executable());
    }

    /**
     * llama.cpp's view after {@code prompt} (step 0) and after each of {@code steps} greedy tokens of
     * its own choosing (step i follows its i-th greedy token).
     */
    static List<Step> run(Path gguf, int[] prompt, int steps, int topK) {
        List<String> cmd = new ArrayList<>(List.of(executable().toString(), gguf.toString(),
                Integer.toString(steps), Integer.toString(topK)));
        for (int t : prompt) cmd.add(Integer.toString(t));
        try {
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(executable() + " did not finish within 120 s");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(executable() + " exited with " + p.exitValue() + " on " + gguf
                        + " (its message is above)");
            }
            return parse(out, steps, topK);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + executable() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running llama.cpp", e);
        }
    }

    static List<Step> parse(String out, int steps, int topK) {
        List<Step> result = new ArrayList<>();
        boolean done = false;
        for (String line : out.split("\n")) {
            if (line.equals("done")) {
                done = true;
                continue;
            }
            String[] f = line.trim().split(" ");
            if (f.length != 3 + topK || !f[0].equals("step") || Integer.parseInt(f[1]) != result.size()) {
                throw new IllegalStateException("unexpected llama.cpp oracle line: " + line);
            }
            int[] tokens = new int[topK];
            double[] logProbs = new double[topK];
            for (int r = 0; r < topK; r++) {
                String[] pair = f[3 + r].split(":");
                tokens[r] = Integer.parseInt(pair[0]);
                logProbs[r] = Double.parseDouble(pair[1]);
            }
            result.add(new Step(Integer.parseInt(f[2]), tokens, logProbs));
        }
        if (!done || result.size() != steps + 1) {
            throw new IllegalStateException("llama.cpp oracle gave " + result.size() + " of " + (steps + 1) + " steps");
        }
        return result;
    }
}
