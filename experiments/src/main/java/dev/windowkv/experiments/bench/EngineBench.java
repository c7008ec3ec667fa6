package dev.windowkv.experiments.bench;

import dev.windowkv.engine.backend.Backend;
import dev.windowkv.engine.backend.DeviceCounters;
import dev.windowkv.engine.kvcache.Compressor;
import dev.windowkv.engine.kvcache.KvCache;
import dev.windowkv.engine.kvcache.KvPolicy;
import dev.windowkv.engine.kvcache.Policies;
import dev.windowkv.engine.model.Model;
import dev.windowkv.engine.model.ModelConfig;
import dev.windowkv.engine.model.PrefillCapture;
import dev.windowkv.engine.model.Transformer;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Our engine's speeds on one model and backend, measured as llama-bench measures llama.cpp: prefill
 * of a random prompt of n tokens (pp n), and generation of n tokens after d cached ones (tg n at depth d),
 * each the mean of a few repetitions after a warm-up that compiles every kernel.
 */
public final class EngineBench {
    /** Mean and standard deviation of tokens per second over the repetitions. */
    public record Speed(double mean, double stddev) {}

    /** Compression of a captured prefill under one policy and the decode after it. */
    public record Compressed(String policy, int budget, double compressMillis, double prefillMillis, double decodeTokPerSec,
                             long kvBytes) {}

    private final Model model;
    private final Backend backend;
    private final ModelConfig c;
    private final SplittableRandom rng;
    private double attentionShare = Double.NaN;

    public EngineBench(Model model, Backend backend, long seed) {
        this.model = model;
        this.backend = backend;
        this.c = model.config();
        this.rng = new SplittableRandom(seed);
    }

    /**
     * Runs every kernel path (tiled prefill, single-token decode) until the JIT has compiled it. The
     * decode's attention over a short cache runs short loops, so C2 compiles it only after many calls,
     * and Vector API code that C2 has not compiled boxes every vector: 2 × 48 tokens, not 2 × 8, so
     * that the timed tokens do not include that (on a cold engine, a 1-token prompt's first decoded
     * tokens took 2–4× a later one). After a 1-token prompt as well: a cache shorter than a vector
     * takes the attention's scalar tails, which a 64-token warm-up never ran, and C2 compiles a branch
     * it has not seen run as a trap back to the interpreter. With the 64-token warm-up alone, bench's
     * Q8_0 empty-context decode read 13.0 tok/s; with this one 21.7, DecodeProfile's steady state
     * (21.6). Q4_0's moved the other way in the same rerun (27.4 to 18.3), so the warm-up is not the
     * whole story (experiments/PERFORMANCE.md, "Results, 2026-12-02, last").
     */
    public void warmUp() {
        for (int prompt : new int[] {64, 1}) {
            for (int i = 0; i < 2; i++) {
                try (Transformer tf = prefilled(prompt, 48)) {
                    for (int j = 0; j < 48; j++) tf.decode(token());
                }
            }
        }
    }

    /** pp n: prompt tokens per second; {@link #attentionShare} then holds attention's share of that prefill. */
    public Speed prefill(int n, int repetitions) {
        double[] ts = new double[repetitions];
        double share = 0;
        for (int r = 0; r < repetitions; r++) {
            int[] prompt = tokens(n);
            // Closed at once: an unclosed cache's off-heap memory waits for a collection (KvCache's Cleaner).
            try (Transformer tf = new Transformer(model, backend)) {
                long t0 = System.nanoTime();
                tf.prefill(prompt, full(n), 1, KvCache.Dtype.F32);
                double ms = (System.nanoTime() - t0) / 1e6;
                ts[r] = n / (ms / 1e3);
                share += tf.attentionMillis() / ms;
            }
        }
        attentionShare = share / repetitions;
        return speed(ts);
    }

    /** Attention's share of the wall time of the last {@link #prefill} (mean over its repetitions). */
    public double attentionShare() {
        return attentionShare;
    }

    /** tg n at depth d: tokens per second of decoding n tokens after a prompt of {@code depth} tokens (at least 1). */
    public Speed decode(int n, int depth, int repetitions) {
        // One untimed pass of this shape first: a device backend compiles its decode plan for it.
        try (Transformer warm = prefilled(Math.max(1, depth), n)) {
            timeDecode(warm, n);
        }
        double[] ts = new double[repetitions];
        for (int r = 0; r < repetitions; r++) {
            try (Transformer tf = prefilled(Math.max(1, depth), n)) {
                ts[r] = timeDecode(tf, n);
            }
        }
        return speed(ts);
    }

    /**
     * The device counters of decoding {@code n} tokens after a prompt of {@code depth}, less the
     * first token (which carries the compaction: the kept indices, or the prompt's keys/values when
     * the host prefilled; and, for a new plan, the weights), or null
     * for a backend without a device.
     */
    public DeviceCounters deviceCounters(int depth, int n) {
        if (backend.deviceCounters() == null) return null;
        try (Transformer tf = prefilled(Math.max(1, depth), n)) {
            tf.decode(token());
            DeviceCounters before = backend.deviceCounters();
            for (int i = 1; i < n; i++) tf.decode(token());
            return backend.deviceCounters().minus(before);
        }
    }

    /**
     * Prefills {@code n} tokens once and keeps it for {@code policies}, for {@link #compress} with at
     * most {@code room} decoded tokens. The restores' room and cache type (F32) are given, as a sweep
     * gives them ({@code Generator.capture}), so a device backend keeps the prompt's keys and values on
     * the device for the restores and the bench measures the path a sweep takes.
     */
    public PrefillCapture capture(int n, List<KvPolicy> policies, int room) {
        return PrefillCapture.run(new Transformer(model, backend), tokens(n), policies, null, room, KvCache.Dtype.F32);
    }

    /** The policy {@link #compress} runs: {@code policy} at {@code budget} (0: its default, for FullKV). */
    public static KvPolicy policy(String policy, int budget) {
        return Policies.create(policy, budget > 0 ? Map.of("budget", Integer.toString(budget)) : Map.of());
    }

    /**
     * Compresses the capture under {@code policy} at {@code budget} (0: FullKV) and decodes {@code n}
     * tokens after it ({@code n} no more than the capture's room).
     */
    public Compressed compress(PrefillCapture capture, String policy, int budget, int n) {
        try (Transformer tf = new Transformer(model, backend)) {
            tf.restore(capture, policy(policy, budget), n, KvCache.Dtype.F32);
            long kv = tf.cache().bytes();
            double decode = n > 0 ? timeDecode(tf, n) : Double.NaN;
            return new Compressed(policy, budget, tf.compressMillis(), capture.prefillMillis(), decode, kv);
        }
    }

    /** Prefills a random prompt of {@code n} tokens compressing under {@code policy} as it goes, with room for {@code room} more; the caller closes it. */
    public Transformer compressed(int n, KvPolicy policy, int room) {
        Transformer tf = new Transformer(model, backend);
        tf.prefill(tokens(n), policy.start(c.nLayers(), c.nHeads(), c.nKvHeads(), c.headDim(), n, null), room, KvCache.Dtype.F32);
        return tf;
    }

    /** Decodes {@code n} random tokens; returns tokens per second. */
    public double decodeMore(Transformer tf, int n) {
        return timeDecode(tf, n);
    }

    /** Prefills a random prompt of {@code n} tokens under FullKV with room for {@code room} more; the caller closes it. */
    public Transformer prefilled(int n, int room) {
        Transformer tf = new Transformer(model, backend);
        tf.prefill(tokens(n), full(n), room, KvCache.Dtype.F32);
        return tf;
    }

    private double timeDecode(Transformer tf, int n) {
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) tf.decode(token());
        return n / ((System.nanoTime() - t0) / 1e9);
    }

    private Compressor full(int n) {
        return Policies.create("full", Map.of()).start(c.nLayers(), c.nHeads(), c.nKvHeads(), c.headDim(), n, null);
    }

    private int[] tokens(int n) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = token();
        return t;
    }

    private int token() {
        return rng.nextInt(model.tokenEmbedding().rows());
    }

    static Speed speed(double[] xs) {
        double mean = 0;
        for (double x : xs) mean += x;
        mean /= xs.length;
        double var = 0;
        for (double x : xs) var += (x - mean) * (x - mean);
        return new Speed(mean, xs.length > 1 ? Math.sqrt(var / (xs.length - 1)) : 0);
    }
}
