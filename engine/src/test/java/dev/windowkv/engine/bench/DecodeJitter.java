package dev.windowkv.engine.bench;

import dev.windowkv.engine.backend.VectorBackend;
import dev.windowkv.engine.kvcache.KvCache;
import dev.windowkv.engine.kvcache.Policies;
import dev.windowkv.engine.model.Model;
import dev.windowkv.engine.model.ModelConfig;
import dev.windowkv.engine.model.Transformer;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Every decoded token timed on its own, repetition after repetition in one JVM: a 16-token bench
 * sample averages over stalls and slow stretches, this shows them (the median, the 90th percentile,
 * and the tokens slower than 1.3× the median with their index). Run it in fresh JVMs one after
 * another, or with many repetitions in one, to tell a machine's slow stretches from a JVM's.
 * {@code java --add-modules jdk.incubator.vector -cp <test class path> dev.windowkv.engine.bench.DecodeJitter model.gguf 1 100 6 2}
 * (prompt tokens, decoded tokens per repetition, repetitions, threads).
 */
public final class DecodeJitter {
    public static void main(String[] args) {
        Path model = Path.of(args[0]);
        int prompt = Integer.parseInt(args[1]), tokens = Integer.parseInt(args[2]), reps = Integer.parseInt(args[3]);
        int threads = Integer.parseInt(args[4]);
        try (Model m = Model.load(model); VectorBackend b = new VectorBackend(threads)) {
            ModelConfig c = m.config();
            for (int r = 0; r < reps; r++) {
                int[] p = new int[prompt];
                for (int i = 0; i < prompt; i++) p[i] = 100 + (i * 7919 + r) % 20000;
                try (Transformer tf = new Transformer(m, b)) {
                    tf.prefill(p, Policies.create("full", Map.of()).start(c.nLayers(), c.nHeads(), c.nKvHeads(), c.headDim(),
                            prompt, null), tokens + 1, KvCache.Dtype.F32);
                    double[] ms = new double[tokens];
                    int token = 500;
                    for (int i = 0; i < tokens; i++) {
                        long t0 = System.nanoTime();
                        float[] logits = tf.decode(token);
                        ms[i] = (System.nanoTime() - t0) / 1e6;
                        token = 100 + (int) (Math.abs(logits[0] * 1000) % 20000);
                    }
                    double[] sorted = ms.clone();
                    Arrays.sort(sorted);
                    double median = sorted[tokens / 2];
                    StringBuilder slow = new StringBuilder();
                    for (int i = 0; i < tokens; i++) if (ms[i] > 1.3 * median) slow.append(String.format(" %d:%.0f", i, ms[i]));
                    System.out.printf("rep %d, prompt %d: median %.2f ms/token (%.1f tok/s), p90 %.2f, max %.2f; slow tokens:%s%n", r,
                            prompt, median, 1000 / median, sorted[tokens * 9 / 10], sorted[tokens - 1], slow);
                }
            }
        }
    }
}
