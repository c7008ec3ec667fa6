package dev.windowkv.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.windowkv.engine.backend.Backend;
import dev.windowkv.engine.backend.Backends;
import dev.windowkv.engine.kvcache.Compressor;
import dev.windowkv.engine.kvcache.KvCache;
import dev.windowkv.engine.kvcache.KvPolicy;
import dev.windowkv.engine.kvcache.Policies;
import dev.windowkv.engine.kvcache.TaskType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The prefill in chunks (llama.cpp's ubatch) against the prefill in one chunk: the same logits up to
 * the order of floating-point additions, the same tokens kept by every policy (the policies select
 * after each layer's last chunk from the queries they declared and, for H2O, the causal mass summed
 * chunk by chunk), and a heap that no longer grows with the prompt by prompt-sized activations.
 */
class ChunkedPrefillTest {
    private static final Path MODEL = Path.of("../experiments/models/windowkv-induction.gguf");
    /** 150 tokens in chunks of 32: four whole chunks and a ragged fifth of 22. */
    private static final int N = 150;
    private static final int CHUNK = 32;

    private static int[] tokens(int n, long seed) {
        return PrefillCaptureTest.tokens(n, seed);
    }

    /** PrefillCaptureTest's policies, and WindowKV's average pooling. */
    private static List<KvPolicy> policies() {
        List<KvPolicy> all = new ArrayList<>(PrefillCaptureTest.policies());
        all.add(Policies.create("windowkv", Map.of("budget", "24", "groupSize", "2", "strategy", "average")));
        return all;
    }

    private static Compressor start(KvPolicy p, ModelConfig c, int n) {
        return p.start(c.nLayers(), c.nHeads(), c.nKvHeads(), c.headDim(), n, TaskType.QA);
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "threads", "vector"})
    void chunkedLivePrefillGivesTheLogitsAndKeptTokensOfOneChunk(String backend) {
        try (Model m = Model.load(MODEL); Backend b = Backends.create(backend, 2)) {
            ModelConfig c = m.config();
            int[] tokens = tokens(N, 11);
            for (KvPolicy p : policies()) {
                Transformer whole = new Transformer(m, b);
                whole.prefillChunk(N);
                float[] expected = whole.prefill(tokens, start(p, c, N), 3, KvCache.Dtype.F32);
                Transformer chunked = new Transformer(m, b);
                chunked.prefillChunk(CHUNK);
                float[] actual = chunked.prefill(tokens, start(p, c, N), 3, KvCache.Dtype.F32);
                String what = backend + ", " + p.describe();
                assertClose(expected, actual, what + ": logits");
                for (int l = 0; l < c.nLayers(); l++) {
                    for (int h = 0; h < c.nKvHeads(); h++) {
                        assertArrayEquals(whole.cache().positions(l, h), chunked.cache().positions(l, h),
                                what + ": kept tokens of layer " + l + ", KV head " + h);
                    }
                    assertEquals(whole.cache().bytes(l), chunked.cache().bytes(l), what + ": bytes of layer " + l);
                }
                // Decode reads the cache the chunks filled.
                for (int t = 0; t < 3; t++) {
                    assertClose(whole.decode(5 + t), chunked.decode(5 + t), what + ": decode step " + t);
                }
            }
        }
    }

    /** Every backend's chunk entry: the rows of a chunk at {@code pos0} are those rows of the whole prefill. */
    @ParameterizedTest
    @ValueSource(strings = {"scalar", "threads", "vector"})
    void attentionOfAChunkIsThoseRowsOfTheWholePrefill(String backend) {
        int heads = 4, kvHeads = 2, headDim = 64, n = 70;
        Random rnd = new Random(3);
        float[] q = gaussian(rnd, n * heads * headDim), k = gaussian(rnd, n * kvHeads * headDim), v = gaussian(rnd, n * kvHeads * headDim);
        try (Backend b = Backends.create(backend, 2)) {
            float[] whole = new float[q.length];
            b.attentionPrefill(q, k, v, whole, n, heads, kvHeads, headDim);
            int row = heads * headDim;
            for (int pos0 = 0; pos0 < n; pos0 += 32) {
                int m = Math.min(32, n - pos0);
                float[] qc = java.util.Arrays.copyOfRange(q, pos0 * row, (pos0 + m) * row);
                float[] out = new float[m * row];
                b.attentionPrefill(qc, k, v, out, m, pos0, heads, kvHeads, headDim);
                assertClose(java.util.Arrays.copyOfRange(whole, pos0 * row, (pos0 + m) * row), out, backend + ", chunk at " + pos0);
            }
            // The observation scores from the kept last queries equal those from every query.
            int from = n - 12;
            float[] all = b.attentionMass(q, k, n, heads, kvHeads, headDim, n - 8, 0, n - 8);
            float[] kept = b.attentionMass(java.util.Arrays.copyOfRange(q, from * row, n * row), from, k, n, heads, kvHeads,
                    headDim, n - 8, 0, n - 8);
            assertClose(all, kept, backend + ", attention mass from the kept queries");
        }
    }

    private static float[] gaussian(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) rnd.nextGaussian();
        return x;
    }

    @Test
    void chunkedCaptureSelectsAndStoresWhatAOneChunkCaptureDoes() {
        try (Model m = Model.load(MODEL); Backend b = Backends.create("vector", 2)) {
            ModelConfig c = m.config();
            int[] tokens = tokens(N, 13);
            Transformer one = new Transformer(m, b);
            one.prefillChunk(N);
            Transformer chunked = new Transformer(m, b);
            chunked.prefillChunk(CHUNK);
            // H2O's window mask reads every query: without it the capture runs in chunks.
            List<KvPolicy> policies = policies().stream().filter(p -> !p.describe().contains("mask=window")).toList();
            try (PrefillCapture a = PrefillCapture.run(one, tokens, policies, TaskType.QA);
                 PrefillCapture ch = PrefillCapture.run(chunked, tokens, policies, TaskType.QA)) {
                assertClose(a.logits(), ch.logits(), "logits");
                for (KvPolicy p : policies) {
                    for (int l = 0; l < c.nLayers(); l++) {
                        PrefillCaptureTest.assertSame(a.selection(p).kept(l), ch.selection(p).kept(l), c, p.describe() + ", layer " + l);
                    }
                }
                float[] k1 = new float[N * c.kvDim()], k2 = new float[N * c.kvDim()];
                for (int l = 0; l < c.nLayers(); l++) {
                    a.keys(l, k1);
                    ch.keys(l, k2);
                    assertClose(k1, k2, "keys of layer " + l);
                    a.values(l, k1);
                    ch.values(l, k2);
                    assertClose(k1, k2, "values of layer " + l);
                }
            }
        }
    }

    @Test
    void aPolicyThatReadsEveryQueryGetsTheWholePromptInOneChunk() {
        try (Model m = Model.load(MODEL)) {
            Transformer tf = new Transformer(m, Backends.create("scalar", 1));
            tf.prefillChunk(CHUNK);
            assertEquals(CHUNK, tf.chunkFor(N, 8));
            assertEquals(N, tf.chunkFor(N, Integer.MAX_VALUE));
            assertEquals(20, tf.chunkFor(20, 8), "a short prompt is one chunk");
        }
    }

    /**
     * The prefill's activation arrays for 1,024 and 2,048 tokens in the default chunks: they may grow
     * by the {@code n × kvDim} keys and values of one layer so far, which a chunk's attention reads,
     * but not by prompt-sized activations: the residual stream, the normed input and the queries took
     * {@code n × (dim + 2 × max(dim, qDim))} floats, 64 MiB each at 8,192 tokens of a 1B model.
     */
    @Test
    void prefillActivationsDoNotGrowWithThePromptBeyondOneLayersKeys() {
        try (Model m = Model.load(MODEL); Backend b = Backends.create("vector", 2)) {
            ModelConfig c = m.config();
            List<KvPolicy> policy = List.of(Policies.create("snapkv", Map.of("budget", "64")));
            int n1 = 1024, n2 = 2048;
            long[] floats = new long[2];
            for (int i = 0; i < 2; i++) {
                Transformer tf = new Transformer(m, b);
                try (PrefillCapture cap = PrefillCapture.run(tf, tokens(i == 0 ? n1 : n2, 17), policy, TaskType.QA)) {
                    floats[i] = tf.prefillHeapFloats();
                }
            }
            // One layer's keys on the heap for the selection; the values stay staged off the heap.
            assertEquals((long) (n2 - n1) * c.kvDim(), floats[1] - floats[0],
                    "activation floats at " + n1 + " and " + n2 + " tokens: " + floats[0] + ", " + floats[1]);
            long chunk = Transformer.PREFILL_CHUNK;
            assertTrue(floats[1] - (long) n2 * c.kvDim() < chunk * (c.dim() + 2L * Math.max(c.dim(), c.qDim()) + 2L * c.kvDim()
                    + 2L * c.ffnDim() + 2L * c.dim()) + 1, "the rest is one chunk's: " + floats[1]);
        }
    }


    /** Equal up to the rounding of a kernel in another JIT tier (1e-6 of the largest magnitude). */
    private static void assertSame(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        float scale = 0;
        for (float e : expected) scale = Math.max(scale, Math.abs(e));
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-6f * Math.max(1f, scale), what + " [" + i + "]");
        }
    }

    /** Equal up to the reassociation of sums across chunks (and the matmul path a short chunk takes). */
    private static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        float scale = 0;
        for (float e : expected) scale = Math.max(scale, Math.abs(e));
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-4f * Math.max(1f, scale), what + " [" + i + "]");
        }
    }

    /**
     * FullKV's chunked prefill writes each chunk straight into the F32 cache and attends to it there
     * (Compressor.keepsEveryToken); the same policy without that declaration stages the keys and values
     * off the heap and fills the cache per layer. Same chunks, same kernels: the same results, bit for
     * bit once the JIT has compiled both (the Vector API's lane reductions and EXP round differently in
     * the interpreter and in C2, and the two prefills may run in different tiers), so the floats are
     * compared at 1e-6 of their scale here and the kept tokens exactly.
     */
    @ParameterizedTest
    @ValueSource(strings = {"scalar", "threads", "vector"})
    void fullKvStraightIntoTheCacheIsTheStagedPrefillBitForBit(String backend) {
        try (Model m = Model.load(MODEL); Backend b = Backends.create(backend, 2)) {
            ModelConfig c = m.config();
            int[] tokens = tokens(N, 5);
            Compressor full = start(Policies.create("full", Map.of()), c, N);
            assertTrue(full.keepsEveryToken());
            Compressor stagedFull = new Compressor() {
                @Override
                public int capacity(int layer) {
                    return full.capacity(layer);
                }

                @Override
                public dev.windowkv.engine.kvcache.KeptTokens select(dev.windowkv.engine.kvcache.PrefillLayer layer) {
                    return full.select(layer);
                }

                @Override
                public int queries() {
                    return full.queries();
                }
            };
            try (Transformer direct = new Transformer(m, b); Transformer staged = new Transformer(m, b)) {
                direct.prefillChunk(CHUNK);
                staged.prefillChunk(CHUNK);
                float[] expected = staged.prefill(tokens, stagedFull, 3, KvCache.Dtype.F32);
                float[] actual = direct.prefill(tokens, full, 3, KvCache.Dtype.F32);
                assertSame(expected, actual, backend + ": logits");
                for (int l = 0; l < c.nLayers(); l++) {
                    assertSame(staged.cache().keysF32(l), direct.cache().keysF32(l), backend + ": keys of layer " + l);
                    assertSame(staged.cache().valuesF32(l), direct.cache().valuesF32(l), backend + ": values of layer " + l);
                    for (int h = 0; h < c.nKvHeads(); h++) {
                        assertArrayEquals(staged.cache().positions(l, h), direct.cache().positions(l, h));
                    }
                    assertEquals(staged.cache().bytes(l), direct.cache().bytes(l));
                }
                for (int t = 0; t < 3; t++) {
                    assertSame(staged.decode(5 + t), direct.decode(5 + t), backend + ": decode step " + t);
                }
            }
        }
    }
}
