package dev.windowkv.engine.backend.tornado;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.windowkv.engine.backend.Backend;
import dev.windowkv.engine.backend.Backends;
import dev.windowkv.engine.kvcache.KvCache;
import dev.windowkv.engine.kvcache.KvPolicy;
import dev.windowkv.engine.kvcache.Policies;
import dev.windowkv.engine.kvcache.TaskType;
import dev.windowkv.engine.model.Model;
import dev.windowkv.engine.model.ModelConfig;
import dev.windowkv.engine.model.PrefillCapture;
import dev.windowkv.engine.model.Transformer;
import dev.windowkv.engine.sampling.Sampler;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Generations that would share one decode plan ({@link TornadoDecoder}: its cache buffers, staging
 * and slots serve one generation at a time). Two open side by side in one bucket each get a plan of
 * their own and decode as {@code vector}; past {@link TornadoBackend#DECODE_PLANS} open ones, or two
 * restores of one capture (which must share the capture's plan) decoded in turn, the one whose plan
 * was taken throws instead of decoding the other's keys and values. Only compiled where TornadoVM is
 * installed (the engine's tornado profile).
 */
class TornadoPlanSharingTest {
    private static final Path DEFAULT_MODEL = Path.of("../experiments/models/windowkv-induction.gguf");
    /** bench's slowdown check: 8 samples of 16 tokens, and the first; 64 + 257 and 200 + 257 slots are one bucket. */
    private static final int ROOM = 257;
    private static final int TOKENS = 5;

    private static TornadoBackend tornado;
    private static Backend vector;
    private static Model model;

    @BeforeAll
    static void start() {
        DeviceTests.requireBailoutOff();
        tornado = new TornadoBackend(2, false);
        vector = Backends.create("vector", 2);
        model = Model.load(DEFAULT_MODEL);
    }

    @AfterAll
    static void stop() {
        tornado.close();
        vector.close();
        model.close();
    }

    /**
     * bench's slowdown check on PoCL: generations after 64 and 64 (other tokens) and 200 prompt tokens,
     * FullKV, room 257: one prompt bucket (256) and one cache bucket (512). The first two, open side by
     * side and decoded in turn, each decode their own cache: {@code vector}'s greedy tokens. Before,
     * the second took the first's plan and the first decoded against the second's cache, silently
     * (equal prompt lengths: its slots and positions still lined up). A third open one takes the least
     * recently used plan (two at most): the generation it belonged to throws on its next token, the
     * others still decode right. A closed generation's plan is reused, no plan built.
     */
    @Test
    void generationsOfOneBucketOpenSideBySideDecodeTheirOwnCache() {
        SplittableRandom rnd = new SplittableRandom(3);
        int[] a = tokens(64, rnd), b = tokens(64, rnd), c = tokens(200, rnd), d = tokens(64, rnd);
        int builtBefore = tornado.decodePlansBuilt();
        Greedy ga = new Greedy(a), gb = new Greedy(b);
        ga.next();
        gb.next();
        for (int i = 0; i < TOKENS; i++) {
            ga.next();
            gb.next();
        }
        ga.assertAsVector("the first of two open side by side");
        gb.assertAsVector("the second of two open side by side");
        assertEquals(2, tornado.decodePlansBuilt() - builtBefore, "a plan each for two open generations");

        Greedy gc = new Greedy(c); // a third: past DECODE_PLANS, it takes the least recently used plan (ga's)
        IllegalStateException taken = assertThrows(IllegalStateException.class, ga::next,
                "a generation whose plan another took");
        assertTrue(taken.getMessage().contains("another generation took"), taken.getMessage());
        for (int i = 0; i < TOKENS; i++) {
            gb.next();
            gc.next();
        }
        gb.assertAsVector("the second, beside a third");
        gc.assertAsVector("the third");
        assertEquals(2, tornado.decodePlansBuilt() - builtBefore, "two plans at most");

        gb.close();
        Greedy gd = new Greedy(d); // reuses the closed generation's plan
        for (int i = 0; i < TOKENS; i++) {
            gc.next();
            gd.next();
        }
        gc.assertAsVector("the third, beside a fourth");
        gd.assertAsVector("a fourth, in a closed generation's plan");
        assertEquals(2, tornado.decodePlansBuilt() - builtBefore, "a closed generation's plan should be reused");
        gc.close();
        gd.close();
        ga.close();
    }

    /**
     * Two restores of one capture must share its plan (the keys and values are there): restoring the
     * second takes the plan's cache, and the first then throws on its next token. Before, it decoded
     * against the second's cache silently (SnapKV and H2O keep 24 tokens per layer alike, so the
     * slots lined up). Restored one after the other, each decodes as {@code vector}.
     */
    @Test
    void twoRestoresOfOneCaptureDecodedInTurnThrow() {
        int[] tokens = model.tokenizer().encode("the key for the blue door is seven four two . remember it . "
                + "people walked in the park and talked about the weather and the long road home . ".repeat(5)
                + "the key for the blue door is", true, false);
        List<KvPolicy> policies = List.of(Policies.create("snapkv", Map.of("budget", "24")),
                Policies.create("h2o", Map.of("budget", "24")));
        try (PrefillCapture capture = PrefillCapture.run(new Transformer(model, tornado), tokens, policies, TaskType.QA,
                8, KvCache.Dtype.F32);
             PrefillCapture expected = PrefillCapture.run(new Transformer(model, vector), tokens, policies, TaskType.QA)) {
            assertTrue(capture.onDevice());
            try (Transformer snap = new Transformer(model, tornado); Transformer h2o = new Transformer(model, tornado)) {
                snap.restore(capture, policies.get(0), 8, KvCache.Dtype.F32);
                int first = snap.decodeGreedy(Sampler.argmax(capture.logits()));
                h2o.restore(capture, policies.get(1), 8, KvCache.Dtype.F32);
                h2o.decodeGreedy(Sampler.argmax(capture.logits()));
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> snap.decodeGreedy(first),
                        "the first restore, after the second took the capture's plan");
                assertTrue(e.getMessage().contains("another generation took"), e.getMessage());
            }
            for (KvPolicy policy : policies) {
                assertArrayEquals(restored(vector, expected, policy), restored(tornado, capture, policy),
                        policy.name() + ": greedy tokens, restored one after the other");
            }
        }
    }

    private static int[] restored(Backend b, PrefillCapture capture, KvPolicy policy) {
        try (Transformer tf = new Transformer(model, b)) {
            tf.restore(capture, policy, 8, KvCache.Dtype.F32);
            int[] out = new int[TOKENS];
            out[0] = Sampler.argmax(capture.logits());
            for (int i = 1; i < out.length; i++) out[i] = tf.decodeGreedy(out[i - 1]);
            return out;
        }
    }

    /** A FullKV generation on tornado, decoded greedily a token at a time, beside the same on vector. */
    private static final class Greedy implements AutoCloseable {
        private final Transformer device;
        private final Transformer host;
        private final StringBuilder got = new StringBuilder(), want = new StringBuilder();
        private int deviceToken, hostToken;

        Greedy(int[] prompt) {
            device = new Transformer(model, tornado);
            host = new Transformer(model, vector);
            deviceToken = Sampler.argmax(device.prefill(prompt, full(prompt.length), ROOM, KvCache.Dtype.F32));
            hostToken = Sampler.argmax(host.prefill(prompt, full(prompt.length), ROOM, KvCache.Dtype.F32));
        }

        void next() {
            deviceToken = device.decodeGreedy(deviceToken);
            hostToken = host.decodeGreedy(hostToken);
            got.append(deviceToken).append(' ');
            want.append(hostToken).append(' ');
        }

        void assertAsVector(String what) {
            assertEquals(want.toString(), got.toString(), what + ": greedy tokens");
        }

        @Override
        public void close() {
            device.close();
            host.close();
        }
    }

    private static dev.windowkv.engine.kvcache.Compressor full(int n) {
        ModelConfig c = model.config();
        return Policies.create("full", Map.of()).start(c.nLayers(), c.nHeads(), c.nKvHeads(), c.headDim(), n, null);
    }

    private static int[] tokens(int n, SplittableRandom rnd) {
        int[] t = new int[n];
        t[0] = 1;
        for (int i = 1; i < n; i++) t[i] = 3 + rnd.nextInt(model.config().vocabSize() - 3);
        return t;
    }
}
