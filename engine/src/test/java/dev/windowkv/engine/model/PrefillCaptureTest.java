package dev.windowkv.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.windowkv.engine.Generator;
import dev.windowkv.engine.backend.Backend;
import dev.windowkv.engine.backend.Backends;
import dev.windowkv.engine.kvcache.Compressor;
import dev.windowkv.engine.kvcache.KeptTokens;
import dev.windowkv.engine.kvcache.KvCache;
import dev.windowkv.engine.kvcache.KvPolicy;
import dev.windowkv.engine.kvcache.Policies;
import dev.windowkv.engine.kvcache.PrefillLayer;
import dev.windowkv.engine.kvcache.TaskType;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The capture selects during the prefill, layer by layer, and keeps only keys and values. Its
 * selections must be those the policies made when the capture kept every layer's queries and keys
 * (H2O above all: it scores with every prompt query, so its scores are now summed per layer while
 * the queries exist).
 */
class PrefillCaptureTest {
    private static final Path MODEL = Path.of("../experiments/models/windowkv-induction.gguf");

    /** The former capture: every layer's q, k, v cloned. */
    private static final class FullCapture implements Transformer.LayerSink {
        final List<float[]> q = new ArrayList<>(), k = new ArrayList<>(), v = new ArrayList<>();

        @Override
        public void layer(int layer, float[] q, float[] k, float[] v) {
            this.q.add(q.clone());
            this.k.add(k.clone());
            this.v.add(v.clone());
        }
    }

    /** Random in-vocabulary prompt tokens (ChunkedPrefillTest uses them too). */
    static int[] tokens(int n, long seed) {
        Random rnd = new Random(seed);
        int[] t = new int[n];
        for (int j = 0; j < n; j++) t[j] = 3 + rnd.nextInt(200);
        return t;
    }

    /** One configuration of every policy, small budgets (ChunkedPrefillTest uses them too). */
    static List<KvPolicy> policies() {
        return List.of(
                Policies.create("h2o", Map.of("budget", "24")),
                Policies.create("h2o", Map.of("budget", "40", "mask", "window")),
                Policies.create("snapkv", Map.of("budget", "24")),
                Policies.create("pyramidkv", Map.of("budget", "24")),
                Policies.create("adakv", Map.of("budget", "24")),
                Policies.create("chunkkv", Map.of("budget", "24")),
                Policies.create("streamingllm", Map.of("budget", "24")),
                Policies.create("think", Map.of("budget", "24", "pruneRatio", "0.5")),
                Policies.create("windowkv", Map.of("budget", "24", "groupSize", "2")),
                Policies.create("full", Map.of()));
    }

    @Test
    void selectionsDuringThePrefillEqualThoseFromEveryLayersQueries() {
        try (Model m = Model.load(MODEL); Backend b = Backends.create("vector", 2)) {
            ModelConfig c = m.config();
            int[] tokens = tokens(150, 5);
            FullCapture full = new FullCapture();
            Transformer tf = new Transformer(m, b);
            // One prefill feeds both (two prefills may differ in the last bit once the JIT has compiled more).
            try (PrefillCapture cap = PrefillCapture.start(tf, tokens.length, policies(), TaskType.QA)) {
                tf.prefill(tokens, (l, q, k, v) -> {
                    full.layer(l, q, k, v);
                    cap.layer(l, q, k, v);
                });
                for (KvPolicy p : policies()) {
                    Compressor old = p.start(c.nLayers(), c.nHeads(), c.nKvHeads(), c.headDim(), tokens.length, TaskType.QA);
                    PrefillCapture.Selection sel = cap.selection(p);
                    for (int l = 0; l < c.nLayers(); l++) {
                        KeptTokens expected = old.select(new PrefillLayer(l, tokens.length, c.nHeads(), c.nKvHeads(),
                                c.headDim(), full.q.get(l), full.k.get(l), b));
                        assertSame(expected, sel.kept(l), c, p.describe() + ", layer " + l);
                    }
                }
                float[] k = new float[tokens.length * c.kvDim()];
                float[] v = new float[tokens.length * c.kvDim()];
                for (int l = 0; l < c.nLayers(); l++) {
                    cap.keys(l, k);
                    cap.values(l, v);
                    assertArrayEquals(full.k.get(l), k, "keys of layer " + l);
                    assertArrayEquals(full.v.get(l), v, "values of layer " + l);
                }
            }
        }
    }

    /** Same kept tokens and pruned key channels, per KV head (ChunkedPrefillTest uses it too). */
    static void assertSame(KeptTokens expected, KeptTokens actual, ModelConfig c, String what) {
        assertEquals(expected == null || expected.keepsAll(), actual == null || actual.keepsAll(), what + ": keeps all");
        if (expected == null || expected.keepsAll()) return;
        for (int h = 0; h < c.nKvHeads(); h++) {
            assertArrayEquals(expected.indices(h), actual.indices(h), what + ", KV head " + h);
            for (int d = 0; d < c.headDim(); d++) {
                assertEquals(expected.prunesKeyChannel(h, d), actual.prunesKeyChannel(h, d), what + ", channel " + d);
            }
        }
    }

    @Test
    void holdsKeysAndValuesOnlyAndFreesThemOnClose() {
        try (Model m = Model.load(MODEL); Backend b = Backends.create("vector", 2)) {
            ModelConfig c = m.config();
            int[] tokens = tokens(100, 7);
            KvPolicy h2o = Policies.create("h2o", Map.of("budget", "24"));
            PrefillCapture cap = new Generator(m, b).capture(tokens, List.of(h2o), TaskType.QA);
            // No layer's queries: every layer's keys and values in F32, nothing else of size n.
            assertEquals((long) c.nLayers() * 2 * tokens.length * c.kvDim() * Float.BYTES, cap.bytes());
            KvPolicy other = Policies.create("snapkv", Map.of("budget", "24"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new Transformer(m, b).restore(cap, other, 2, KvCache.Dtype.F32));
            assertTrue(e.getMessage().contains("not for snapkv"), e.getMessage());
            new Transformer(m, b).restore(cap, Policies.create("h2o", Map.of("budget", "24")), 2, KvCache.Dtype.F32);
            cap.close();
            assertThrows(IllegalStateException.class, () -> new Transformer(m, b).restore(cap, h2o, 2, KvCache.Dtype.F32),
                    "a closed capture's memory is gone");
        }
    }

    @Test
    void theAttentionTimeIsPartOfThePrefillTime() {
        try (Model m = Model.load(MODEL); Backend b = Backends.create("vector", 2)) {
            Transformer tf = new Transformer(m, b);
            long t0 = System.nanoTime();
            tf.prefill(tokens(200, 9), (l, q, k, v) -> {});
            double total = (System.nanoTime() - t0) / 1e6;
            assertTrue(tf.attentionMillis() > 0 && tf.attentionMillis() < total,
                    "attention " + tf.attentionMillis() + " ms of " + total + " ms");
        }
    }
}
