package dev.windowkv.engine.testutil;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The llama.cpp source checkout that tests use as an oracle (tokenizer vocabularies and their test
 * vectors), fetched on first use by {@code engine/scripts/llama-cpp-source.sh} from the npm package
 * node-llama-cpp into {@code ${WINDOWKV_CACHE:-~/.cache/windowkv}/llama.cpp}. Never committed.
 */
public final class LlamaCppSource {
    private static Path checkout;

    private LlamaCppSource() {}

    /** The checkout's root, fetching it if missing; throws with the reason if that is impossible. */
    public static synchronized Path root() {
        if (checkout != null) return checkout;
        String cacheEnv = System.getenv("WINDOWKV_CACHE");
        Path cache = cacheEnv != null && !cacheEnv.isBlank() ? Path.of(cacheEnv)
                : Path.of(System.getProperty("user.home"), ".cache", "windowkv");
        Path dir = cache.resolve("llama.cpp");
        if (!Files.isRegularFile(dir.resolve(".git/windowkv-done"))) {
            dir = runScript();
        }
        checkout = dir;
        return dir;
    }

    /** {@code models/ggml-vocab-<name>.gguf}, e.g. {@code llama-bpe}, {@code qwen2}, {@code llama-spm}. */
    public static Path vocab(String name) {
        Path p = root().resolve("models").resolve("ggml-vocab-" + name + ".gguf");
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("llama.cpp checkout " + root() + " has no " + p.getFileName());
        }
        return p;
    }

    private static Path runScript() {
        Path script = findScript();
        try {
            Process process = new ProcessBuilder("bash", script.toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            int rc = process.waitFor();
            if (rc != 0 || out.isEmpty()) {
                throw new IllegalStateException("cannot get the llama.cpp source: " + script + " exited with " + rc
                        + " (see its message above; it needs npm, git and access to the npm registry)");
            }
            String[] lines = out.split("\n");
            return Path.of(lines[lines.length - 1].trim());
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + script + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while fetching the llama.cpp source", e);
        }
    }

    private static Path findScript() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            for (Path candidate : new Path[] {d.resolve("scripts/llama-cpp-source.sh"), d.resolve("engine/scripts/llama-cpp-source.sh")}) {
                if (Files.isRegularFile(candidate)) return candidate;
            }
        }
        throw new IllegalStateException("cannot find engine/scripts/llama-cpp-source.sh above " + dir);
    }
}
