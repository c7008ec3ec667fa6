package dev.windowkv.engine.backend.tornado;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.windowkv.engine.backend.Backend;
import dev.windowkv.engine.backend.Backends;
import dev.windowkv.engine.backend.DeviceCounters;
import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.engine.kvcache.KvCache;
import dev.windowkv.engine.kvcache.KvPolicy;
import dev.windowkv.engine.kvcache.Policies;
import dev.windowkv.engine.kvcache.TaskType;
import dev.windowkv.engine.model.Model;
import dev.windowkv.engine.model.ModelConfig;
import dev.windowkv.engine.model.Transformer;
import dev.windowkv.engine.testutil.TinyModels;

import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The prefill on the device ({@link TornadoPrefill}) against the vector backend's: the same
 * last-token logits and the same per-layer queries, keys and values, on the default model and on a
 * random-weight GQA model with Q8_0 and Q4_0 weights, for prompts that fill part of a bucket; and
 * one compiled prefill plan per length bucket. Kept indices and greedy tokens under each policy are
 * {@code TornadoBackendTest}'s, which now prefills on the device too. Only compiled where TornadoVM
 * is installed (the engine's tornado profile).
 */
class TornadoPrefillTest {
    private static final Path DEFAULT_MODEL = Path.of("../experiments/models/windowkv-induction.gguf");

    private static TornadoBackend tornado;

    @BeforeAll
    static void start() {
        DeviceTests.requireBailoutOff();
        tornado = new TornadoBackend(2, false);
    }

    @AfterAll
    static void stop() {
        tornado.close();
    }

    @Test
    void theDefaultModelPrefillsAsVector() {
        try (Model m = Model.load(DEFAULT_MODEL)) {
            assertTrue(TornadoPrefill.supports(m), "the default model should prefill on the device");
            assertSameAsVector(m, 300); // a bucket of 512, two token tiles of the matmul left empty
        }
    }

    @Test
    void aRandomGqaModelPrefillsAsVectorWithQ8_0AndQ4_0Weights(@TempDir Path dir) {
        for (GGMLType type : new GGMLType[] {GGMLType.Q8_0, GGMLType.Q4_0}) {
            Path file = dir.resolve("tiny-gqa-" + type + ".gguf");
            TinyModels.llama(file, type, 11);
            try (Model m = Model.load(file)) {
                assertTrue(TornadoPrefill.supports(m), type + " should prefill on the device");
                assertSameAsVector(m, 90);
            }
        }
    }

    /** Prompt lengths in two buckets of 256: at most two prefill plans are built and compiled. */
    @Test
    void twentyPromptsInTwoLengthBucketsCompileAtMostTwoPrefillPlans() {
        try (Model m = Model.load(DEFAULT_MODEL)) {
            SplittableRandom rnd = new SplittableRandom(5);
            int builtBefore = tornado.prefillPlansBuilt();
            DeviceCounters before = tornado.deviceCounters();
            for (int i = 0; i < 20; i++) {
                int n = (i % 2 == 0 ? 20 : 300) + rnd.nextInt(180); // 20..199 and 300..479: buckets 256 and 512
                new Transformer(m, tornado).prefill(tokens(m, n, rnd), (l, q, k, v) -> {});
            }
            long compiled = tornado.deviceCounters().minus(before).compilations();
            assertTrue(compiled <= 2, compiled + " plans compiled for two buckets");
            assertTrue(tornado.prefillPlansBuilt() - builtBefore <= 2,
                    tornado.prefillPlansBuilt() - builtBefore + " prefill plans built for two buckets");
        }
    }

    /**
     * Prompts of four lengths in one bucket under H2O (scored over every query and selected in the
     * prefill, which runs in the decoder's plan): one plan serves them all, since the lengths go down
     * in int arrays, and each keeps vector's tokens in every layer and KV head. Device→host per
     * prompt: the kept indices and the logits; never the queries, nor the keys/values, which stay on
     * the device for the decode.
     */
    @Test
    void promptsOfOneBucketShareAPlanThatSelectsAsVector() {
        try (Model m = Model.load(DEFAULT_MODEL); Backend vector = Backends.create("vector", 2)) {
            ModelConfig c = m.config();
            SplittableRandom rnd = new SplittableRandom(9);
            int builtBefore = tornado.prefillPlansBuilt();
            for (int n : new int[] {64, 90, 170, 250}) {
                int[] tokens = tokens(m, n, rnd);
                KvPolicy h2o = Policies.create("h2o", Map.of("budget", "24"));
                KvCache expected = prefilled(m, vector, h2o, tokens);
                DeviceCounters before = tornado.deviceCounters();
                KvCache actual = prefilled(m, tornado, h2o, tokens);
                long back = tornado.deviceCounters().minus(before).setupBytesToHost();
                for (int l = 0; l < c.nLayers(); l++) {
                    for (int h = 0; h < c.nKvHeads(); h++) {
                        assertArrayEquals(expected.positions(l, h), actual.positions(l, h),
                                n + " tokens: kept indices of layer " + l + ", KV head " + h);
                    }
                }
                int b = TornadoDecoder.bucket(n);
                long keysValues = 4L * c.nLayers() * 2 * b * c.kvDim();
                long kept = 4L * c.nLayers() * (c.nKvHeads() * b + 1);
                assertEquals(kept + 4L * c.vocabSize(), back, n + " tokens: bytes back");
                System.out.printf("h2o, %d tokens: %d B device->host (kept indices %d, logits %d; the keys/values"
                        + " stayed on the device: %d, as the queries: %d)%n", n, back, kept, 4L * c.vocabSize(),
                        keysValues, 4L * c.nLayers() * b * c.qDim());
            }
            assertEquals(1, tornado.prefillPlansBuilt() - builtBefore, "prefill plans built for one bucket");
        }
    }

    /** The cache after the prefill, closed (what it recorded stays readable): the next prompt may use its plan. */
    private static KvCache prefilled(Model m, Backend b, KvPolicy policy, int[] tokens) {
        ModelConfig c = m.config();
        try (Transformer tf = new Transformer(m, b)) {
            tf.prefill(tokens, policy.start(c.nLayers(), c.nHeads(), c.nKvHeads(), c.headDim(), tokens.length,
                    TaskType.QA), 8, KvCache.Dtype.F32);
            return tf.cache();
        }
    }

    /** Logits within 1e-3 of the largest; each layer's q, k, v within 1e-3 of that layer's largest value. */
    private static void assertSameAsVector(Model m, int n) {
        ModelConfig c = m.config();
        int[] tokens = tokens(m, n, new SplittableRandom(n));
        Recorded expected;
        try (Backend vector = Backends.create("vector", 2)) {
            expected = Recorded.of(new Transformer(m, vector), tokens, c.nLayers());
        }
        Recorded actual = Recorded.of(new Transformer(m, tornado), tokens, c.nLayers());
        close(expected.logits, actual.logits, "logits");
        for (int l = 0; l < c.nLayers(); l++) {
            close(expected.q[l], actual.q[l], "layer " + l + " q");
            close(expected.k[l], actual.k[l], "layer " + l + " k");
            close(expected.v[l], actual.v[l], "layer " + l + " v");
        }
    }

    /** A prefill's logits and every layer's q, k, v, as the sink (a policy, a capture) sees them. */
    private record Recorded(float[] logits, float[][] q, float[][] k, float[][] v) {
        static Recorded of(Transformer tf, int[] tokens, int nLayers) {
            float[][] q = new float[nLayers][], k = new float[nLayers][], v = new float[nLayers][];
            float[] logits = tf.prefill(tokens, (l, ql, kl, vl) -> {
                q[l] = ql.clone();
                k[l] = kl.clone();
                v[l] = vl.clone();
            });
            return new Recorded(logits, q, k, v);
        }
    }

    private static void close(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        float max = 0f;
        for (float e : expected) max = Math.max(max, Math.abs(e));
        float tol = 1e-3f * max + 1e-5f;
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tol, what + " [" + i + "]");
        }
    }

    private static int[] tokens(Model m, int n, SplittableRandom rnd) {
        int[] tokens = new int[n];
        tokens[0] = 1;
        for (int i = 1; i < n; i++) tokens[i] = 3 + rnd.nextInt(m.config().vocabSize() - 3);
        return tokens;
    }
}
