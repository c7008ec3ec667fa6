package dev.windowkv.engine;

import dev.windowkv.engine.backend.Backend;
import dev.windowkv.engine.kvcache.Compressor;
import dev.windowkv.engine.kvcache.KvCache;
import dev.windowkv.engine.kvcache.KvPolicy;
import dev.windowkv.engine.kvcache.TaskType;
import dev.windowkv.engine.model.Model;
import dev.windowkv.engine.model.ModelConfig;
import dev.windowkv.engine.model.PrefillCapture;
import dev.windowkv.engine.model.Transformer;
import dev.windowkv.engine.sampling.Sampler;
import dev.windowkv.engine.tokenizer.Tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Streaming generation under a KV-cache policy: prefill (compressing once at its end), then decode
 * token by token, handing each token's text to a listener as soon as it is complete UTF-8.
 */
public final class Generator {
    /** Receives generated text as it comes; called on the generating thread. */
    @FunctionalInterface
    public interface Listener {
        void onText(String text);
    }

    /** @param stopAtNewline end at the first newline (the NIAH protocol's rule) */
    public record Settings(int maxNewTokens, Sampler sampler, KvCache.Dtype kvDtype, boolean stopAtNewline) {
        public Settings {
            if (maxNewTokens < 0) throw new UserError("--max-tokens must be ≥ 0 (got " + maxNewTokens + ")");
        }

        public static Settings greedy(int maxNewTokens) {
            return new Settings(maxNewTokens, Sampler.greedy(), KvCache.Dtype.F32, false);
        }
    }

    /**
     * @param tokensKeptPerLayer  prompt tokens each layer holds after compression (the mean over KV
     *                            heads, rounded, when head-adaptive budgets make them differ)
     * @param tokensKeptPerHead   the same per layer and KV head, {@code [layer][kvHead]}
     * @param keptPromptPositions the prompt positions each layer and KV head holds after compression,
     *                            ascending, {@code [layer][kvHead][]} (for the kept-token map)
     */
    public record Result(int[] promptTokens, int[] tokens, String text, double prefillMillis, double compressMillis,
                         double decodeMillis, int[] tokensKeptPerLayer, long kvBytes, long fullKvBytes, String policyInfo,
                         int[][] tokensKeptPerHead, int[][][] keptPromptPositions) {
        public double prefillTokensPerSecond() {
            return promptTokens.length / ((prefillMillis + compressMillis) / 1e3);
        }

        public double decodeTokensPerSecond() {
            return tokens.length <= 1 ? Double.NaN : (tokens.length - 1) / (decodeMillis / 1e3);
        }
    }

    private final Model model;
    private final Backend backend;

    public Generator(Model model, Backend backend) {
        this.model = model;
        this.backend = backend;
    }

    public Model model() { return model; }
    public Backend backend() { return backend; }

    public Result generate(int[] prompt, Settings s, KvPolicy policy, TaskType taskHint, Listener listener) {
        Compressor compressor = start(policy, prompt.length, taskHint);
        // The cache is freed (off the heap) when the generation ends, not when a collector finds it.
        try (Transformer tf = new Transformer(model, backend)) {
            long t0 = System.nanoTime();
            float[] logits = tf.prefill(prompt, compressor, s.maxNewTokens(), s.kvDtype());
            double prefillAll = (System.nanoTime() - t0) / 1e6;
            return decode(tf, prompt, logits, prefillAll - tf.compressMillis(), tf.compressMillis(), s, describe(policy), listener);
        }
    }

    /**
     * Runs the prefill once and keeps it for {@code policies} (started with {@code taskHint}), for
     * {@link #generate(PrefillCapture, int[], Settings, KvPolicy, TaskType, Listener)}. Close the
     * capture when done with it: it holds every layer's keys and values off the heap.
     */
    public PrefillCapture capture(int[] prompt, List<? extends KvPolicy> policies, TaskType taskHint) {
        return PrefillCapture.run(new Transformer(model, backend), prompt, policies, taskHint);
    }

    /**
     * {@link #capture(int[], List, TaskType)} for generations of at most {@code maxNewTokens} tokens
     * into {@code kvDtype} caches (null: not known, or not one type): a device backend may then keep
     * the prompt's keys and values on the device for them.
     */
    public PrefillCapture capture(int[] prompt, List<? extends KvPolicy> policies, TaskType taskHint, int maxNewTokens,
                                  KvCache.Dtype kvDtype) {
        return PrefillCapture.run(new Transformer(model, backend), prompt, policies, taskHint, maxNewTokens, kvDtype);
    }

    /** Generation from a captured prefill: only the cache's filling and decode run again. */
    public Result generate(PrefillCapture capture, int[] prompt, Settings s, KvPolicy policy, TaskType taskHint,
                           Listener listener) {
        if (taskHint != capture.taskHint()) {
            throw new IllegalArgumentException("the prefill was captured with task hint " + capture.taskHint() + ", not " + taskHint);
        }
        try (Transformer tf = new Transformer(model, backend)) {
            tf.restore(capture, policy, s.maxNewTokens(), s.kvDtype());
            return decode(tf, prompt, capture.logits(), capture.prefillMillis(), tf.compressMillis(), s, describe(policy),
                    listener);
        }
    }

    /** The policy as it runs on this model, e.g. {@code windowkv budget=128 groupSize=2 strategy=auto ...}. */
    private String describe(KvPolicy policy) {
        return policy.forModel(model.config().nLayers()).describe();
    }

    private Compressor start(KvPolicy policy, int promptLength, TaskType taskHint) {
        ModelConfig c = model.config();
        return policy.start(c.nLayers(), c.nHeads(), c.nKvHeads(), c.headDim(), promptLength, taskHint);
    }

    private Result decode(Transformer tf, int[] prompt, float[] logits, double prefillMillis, double compressMillis,
                          Settings s, String policyName, Listener listener) {
        Tokenizer tok = model.tokenizer();
        KvCache cache = tf.cache();
        int[] keptPerLayer = cache.tokensPerLayer();
        int[][] keptPerHead = cache.tokensPerHead();
        int[][][] keptPositions = new int[cache.nLayers()][cache.nKvHeads()][];
        for (int l = 0; l < cache.nLayers(); l++) {
            for (int h = 0; h < cache.nKvHeads(); h++) {
                keptPositions[l][h] = cache.positions(l, h);
                Arrays.sort(keptPositions[l][h]);
            }
        }
        long kvBytes = cache.bytes();
        long fullBytes = cache.fullBytes(prompt.length);

        int[] out = new int[s.maxNewTokens()];
        int produced = 0;
        ByteArrayOutputStream pending = new ByteArrayOutputStream();
        StringBuilder text = new StringBuilder();
        long d0 = System.nanoTime();
        // Greedy: a device decoder brings back only the argmax of each token's logits, not the logits.
        boolean greedy = s.sampler().isGreedy();
        int next = s.maxNewTokens() > 0 ? s.sampler().sample(logits) : -1;
        while (produced < s.maxNewTokens()) {
            if (tok.isEndOfGeneration(next)) break;
            out[produced++] = next;
            pending.writeBytes(tok.tokenBytes(next));
            String piece = completeUtf8(pending);
            boolean newline = false;
            if (!piece.isEmpty()) {
                int nl = s.stopAtNewline() ? piece.indexOf('\n') : -1;
                if (nl >= 0) {
                    piece = piece.substring(0, nl);
                    newline = true;
                }
                text.append(piece);
                if (listener != null && !piece.isEmpty()) listener.onText(piece);
            }
            if (newline || produced == s.maxNewTokens()) break;
            next = greedy ? tf.decodeGreedy(next) : s.sampler().sample(tf.decode(next));
        }
        double decode = (System.nanoTime() - d0) / 1e6;
        return new Result(prompt, Arrays.copyOf(out, produced), text.toString(), prefillMillis, compressMillis, decode,
                keptPerLayer, kvBytes, fullBytes, policyName, keptPerHead, keptPositions);
    }

    /** Takes the longest prefix of whole UTF-8 characters out of the buffer. */
    static String completeUtf8(ByteArrayOutputStream buf) {
        byte[] b = buf.toByteArray();
        int end = b.length;
        // Step back over an unfinished multi-byte sequence at the end.
        int i = end - 1;
        int cont = 0;
        while (i >= 0 && (b[i] & 0xC0) == 0x80 && cont < 3) {
            i--;
            cont++;
        }
        if (i >= 0) {
            int lead = b[i] & 0xFF;
            int need = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0;
            if (need > cont) end = i;
        }
        buf.reset();
        buf.write(b, end, b.length - end);
        return new String(b, 0, end, StandardCharsets.UTF_8);
    }
}
