package dev.windowkv.experiments.bench;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;
import de.kherud.llama.args.LogFormat;
import dev.windowkv.engine.UserError;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * llama.cpp in process: the {@code de.kherud:llama} binding the correctness tests use (llama.cpp
 * b4916 built for AVX2/FMA/F16C, without AVX-512), timed on the same file as llama-bench. It runs in
 * a child JVM because the binding's native threads keep a JVM alive after {@code close()}; the child
 * prints one {@code RESULT} line per test and halts.
 *
 * <p>The binding has no benchmark of its own, so the child times completions: prefill is
 * {@code p / (t(p prompt tokens, 1 new) - t(1, 1))} and decode {@code n / (t(1, 1 + n) - t(1, 1))},
 * prompts re-evaluated every time (no prompt cache), EOS ignored, best of the repetitions.
 */
public final class InProcessLlama {
    public static final String ENGINE = "llama.cpp-jni";
    public static final String DESCRIPTION =
            "de.kherud:llama 4.2.0 (llama.cpp b4916, AVX2/FMA/F16C, no AVX-512), in a child JVM, timed by completions";

    private InProcessLlama() {}

    /** One timed test, named like llama-bench's: {@code pp512}, {@code tg64}. */
    public record Speed(String test, double tokPerSec) {}

    /** Runs the tests in a child JVM with this JVM's class path; gives up after {@code timeoutMinutes}. */
    public static List<Speed> run(Path model, int threads, List<Integer> prompts, int gen, int repetitions,
                                  int timeoutMinutes) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                InProcessLlama.class.getName(), model.toString(), Integer.toString(threads),
                String.join(",", prompts.stream().map(String::valueOf).toList()), Integer.toString(gen),
                Integer.toString(repetitions));
        List<Speed> out = new ArrayList<>();
        List<String> other = new ArrayList<>();
        String[] error = {null};
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            Thread reader = Thread.ofVirtual().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        String[] f = line.split(" ");
                        if (f.length == 3 && f[0].equals("RESULT")) {
                            synchronized (out) {
                                out.add(new Speed(f[1], Double.parseDouble(f[2])));
                            }
                        } else if (line.startsWith("ERROR ")) {
                            error[0] = line.substring(6);
                        } else {
                            other.add(line);
                        }
                    }
                } catch (IOException e) {
                    other.add(e.toString());
                }
            });
            boolean done = p.waitFor(timeoutMinutes, TimeUnit.MINUTES);
            if (!done) p.destroyForcibly();
            reader.join(TimeUnit.SECONDS.toMillis(10));
            if (!done || p.exitValue() != 0) {
                String last = error[0] != null ? error[0] : other.isEmpty() ? "no output" : other.getLast();
                throw new UserError("the in-process llama.cpp bench " + (done ? "failed (exit " + p.exitValue() + ")"
                        : "did not finish in " + timeoutMinutes + " min") + ": " + last + "; skip it with --no-in-process");
            }
        } catch (IOException e) {
            throw new UserError("cannot start a JVM for the in-process llama.cpp bench: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        synchronized (out) {
            return List.copyOf(out);
        }
    }

    /** The child: {@code model threads prompts(csv) gen repetitions}; a failure is one {@code ERROR} line and exit 1. */
    public static void main(String[] args) {
        try {
            measure(args);
        } catch (Exception e) {
            System.out.println("ERROR " + (e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("")));
            System.out.flush();
            Runtime.getRuntime().halt(1);
        }
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }

    private static void measure(String[] args) {
        Path model = Path.of(args[0]);
        if (!java.nio.file.Files.isRegularFile(model)) throw new IllegalArgumentException("no model file at " + model);
        int threads = Integer.parseInt(args[1]);
        int[] prompts = Arrays.stream(args[2].split(",")).mapToInt(Integer::parseInt).toArray();
        int gen = Integer.parseInt(args[3]);
        int reps = Integer.parseInt(args[4]);
        int ctx = Math.max(Arrays.stream(prompts).max().orElse(1), 1 + gen) + 16;
        LlamaModel.setLogger(LogFormat.TEXT, (level, message) -> {});
        LlamaModel m = new LlamaModel(new ModelParameters()
                .setModel(model.toString())
                .setCtxSize(ctx)
                .setBatchSize(Math.min(ctx, 2048))
                .setUbatchSize(512)
                .setThreads(threads)
                .setThreadsBatch(threads)
                .setGpuLayers(0)
                .setParallel(1)
                .disableContextShift()
                .disableLog());
        seconds(m, 1, 1); // warm-up
        double base = best(m, 1, 1, reps);
        for (int p : prompts) {
            System.out.printf("RESULT pp%d %.4f%n", p, p / (best(m, p, 1, reps) - base));
        }
        System.out.printf("RESULT tg%d %.4f%n", gen, gen / (best(m, 1, 1 + gen, reps) - base));
    }

    private static double best(LlamaModel m, int promptTokens, int newTokens, int reps) {
        double best = Double.MAX_VALUE;
        for (int i = 0; i < reps; i++) best = Math.min(best, seconds(m, promptTokens, newTokens));
        return best;
    }

    /** Seconds to evaluate a prompt of {@code promptTokens} tokens (BOS included) and generate {@code newTokens}. */
    private static double seconds(LlamaModel m, int promptTokens, int newTokens) {
        InferenceParameters ip = new InferenceParameters(prompt(m, promptTokens - 1))
                .setNPredict(newTokens)
                .setIgnoreEos(true)
                .setCachePrompt(false)
                .setTemperature(0f);
        long t0 = System.nanoTime();
        m.complete(ip);
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Text of exactly {@code n} tokens in the model's tokenizer ("the" and then " the", one token each in llama-bpe). */
    private static String prompt(LlamaModel m, int n) {
        if (n <= 0) return "";
        String text = "the" + " the".repeat(n - 1);
        int got = m.encode(text).length;
        if (got != n) {
            throw new IllegalStateException("a prompt of " + n + " tokens came out as " + got + " in this tokenizer");
        }
        return text;
    }
}
