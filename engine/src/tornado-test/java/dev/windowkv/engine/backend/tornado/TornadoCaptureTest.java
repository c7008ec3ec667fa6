package dev.windowkv.engine.backend.tornado;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.windowkv.engine.backend.Backend;
import dev.windowkv.engine.backend.Backends;
import dev.windowkv.engine.backend.DeviceCounters;
import dev.windowkv.engine.kvcache.Compressor;
import dev.windowkv.engine.kvcache.DeviceSelection;
import dev.windowkv.engine.kvcache.KvCache;
import dev.windowkv.engine.kvcache.KvPolicy;
import dev.windowkv.engine.kvcache.Policies;
import dev.windowkv.engine.kvcache.TaskType;
import dev.windowkv.engine.model.Model;
import dev.windowkv.engine.model.ModelConfig;
import dev.windowkv.engine.model.PrefillCapture;
import dev.windowkv.engine.model.Transformer;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A sweep's capture on the device ({@link TornadoCapture}): one prefill, every policy's selection in
 * the plan, the keys and values left there, and each policy restored from them through the same
 * plan. Bytes are the declared sizes (no profiler), so they are exact. Only compiled where TornadoVM
 * is installed (the engine's tornado profile).
 */
class TornadoCaptureTest {
    private static final Path DEFAULT_MODEL = Path.of("../experiments/models/windowkv-induction.gguf");
    private static final int ROOM = 8;

    private static TornadoBackend tornado;
    private static Model model;

    @BeforeAll
    static void start() {
        DeviceTests.requireBailoutOff();
        tornado = new TornadoBackend(2, false);
        model = Model.load(DEFAULT_MODEL);
    }

    @AfterAll
    static void stop() {
        tornado.close();
        model.close();
    }

    private static int[] prompt(String topic) {
        String text = "the key for the blue door is seven four two . remember it . "
                + ("people walked in the " + topic + " and talked about the weather and the long road home . ").repeat(5)
                + "the key for the blue door is";
        return model.tokenizer().encode(text, true, false);
    }

    private static List<KvPolicy> policies() {
        return List.of(Policies.create("snapkv", Map.of("budget", "24")), Policies.create("windowkv", Map.of("budget", "24")),
                Policies.create("h2o", Map.of("budget", "24")), Policies.create("pyramidkv", Map.of("budget", "24")));
    }

    /**
     * SnapKV, WindowKV, H2O and PyramidKV captured together: on the device the prefill brings back
     * only each policy's selection (per layer: the kept indices of a top-k policy, the window order
     * of WindowKV) and the logits, never the keys, values or queries; each restore keeps
     * {@code vector}'s indices in every layer and KV head and decodes its 8 greedy tokens, taking
     * down only the kept indices, through the capture's plan (no plan built for the restores).
     * Before (keys/values back, the host selecting from the queries): 8.4 MB back per prompt.
     */
    @Test
    void aCaptureOnTheDeviceRestoresEveryPolicyAsVector() {
        int[] tokens = prompt("park");
        int n = tokens.length;
        ModelConfig c = model.config();
        List<KvPolicy> policies = policies();
        DeviceCounters before = tornado.deviceCounters();
        Transformer capturing = new Transformer(model, tornado);
        try (PrefillCapture capture = PrefillCapture.run(capturing, tokens, policies, TaskType.QA, ROOM, KvCache.Dtype.F32);
             Backend vector = Backends.create("vector", 2)) {
            DeviceCounters captured = tornado.deviceCounters().minus(before);
            int b = TornadoDecoder.bucket(n);
            long oneLayersKv = 2L * n * c.kvDim() * Float.BYTES;
            // Per layer and policy that scores there: a top-k policy's kept indices and count, WindowKV's order.
            long selections = 0;
            for (KvPolicy p : policies) {
                Compressor cp = p.start(c.nLayers(), c.nHeads(), c.nKvHeads(), c.headDim(), n, TaskType.QA);
                for (int l = 0; l < c.nLayers(); l++) {
                    selections += switch (cp.deviceSelection(l, n).kind()) {
                        case TOP_K -> 4L * c.nKvHeads() * b + 4;
                        case WINDOW_ORDER -> 4L * b;
                        case NO_SCORES -> 0;
                    };
                }
            }
            long logits = 4L * model.output().rows();
            System.out.printf("capture of %d tokens under 4 policies: %d B device->host (selections %d, logits %d;"
                    + " one layer's keys/values %d)%n", n, captured.setupBytesToHost(), selections, logits, oneLayersKv);
            assertEquals(selections + logits, captured.setupBytesToHost(), "device->host per prompt");
            assertTrue(captured.setupBytesToHost() < oneLayersKv);
            assertTrue(capture.onDevice(), "the keys and values should stay on the device");
            assertEquals(0, capture.bytes(), "the capture holds no keys or values on the host");
            // kept<l>'s indices, [nKvHeads][min(prompt bucket, cache bucket)], and its {kept, prompt length}.
            long keptIndices = (long) c.nLayers() * (4L * c.nKvHeads() * Math.min(b, TornadoDecoder.BUCKET) + 8);
            int plansBefore = tornado.decodePlansBuilt();
            try (PrefillCapture expectedCapture = PrefillCapture.run(new Transformer(model, vector), tokens, policies,
                    TaskType.QA)) {
                for (KvPolicy policy : policies) {
                    Restored expected = Restored.of(vector, expectedCapture, policy);
                    DeviceCounters beforeRestore = tornado.deviceCounters();
                    Restored actual = Restored.of(tornado, capture, policy);
                    DeviceCounters restored = tornado.deviceCounters().minus(beforeRestore);
                    for (int l = 0; l < c.nLayers(); l++) {
                        for (int h = 0; h < c.nKvHeads(); h++) {
                            assertArrayEquals(expected.kept[l][h], actual.kept[l][h],
                                    policy.name() + ": kept indices of layer " + l + ", KV head " + h);
                        }
                    }
                    assertTrue(expected.kept[0][0].length < n, policy.name() + " should drop tokens");
                    assertArrayEquals(expected.tokens, actual.tokens, policy.name() + ": greedy tokens");
                    System.out.printf("%s restored: %d B host->device outside the per-token graphs%n", policy.name(),
                            restored.setupBytesToDevice());
                    if (policy != policies.getFirst()) {
                        // The first restore's first token also takes the decode graphs' weights down, once per plan.
                        assertEquals(keptIndices, restored.setupBytesToDevice(),
                                policy.name() + ": only the kept indices (and lengths) go down");
                        assertTrue(restored.setupBytesToDevice() < oneLayersKv);
                    }
                    assertEquals(0, restored.setupBytesToHost(), policy.name() + ": the restore brought nothing back");
                }
            }
            assertEquals(plansBefore, tornado.decodePlansBuilt(), "the restores should use the capture's plan");
        }
    }

    /**
     * Captures of one bucket, policies and capacities kept open side by side: the second gets a plan
     * of its own (the first's is pinned), so a restore of the first still decodes. A third, past
     * {@link TornadoBackend#DECODE_PLANS} plans, takes the least recently used one, the first's, and
     * overwrites its keys and values there: the next token of the first's restore, or a restore of
     * the first after that, throws instead of decoding the third prompt's keys. The others restore
     * and decode. Before (2026-12-02, plan sharing), the second capture took the first's plan.
     */
    @Test
    void aRestoreAfterAnotherPromptPrefilledInItsPlanThrows() {
        List<KvPolicy> policies = policies().subList(0, 2);
        KvPolicy snap = policies.getFirst();
        try (PrefillCapture first = PrefillCapture.run(new Transformer(model, tornado), prompt("park"), policies,
                TaskType.QA, ROOM, KvCache.Dtype.F32);
             Transformer staged = new Transformer(model, tornado)) {
            assertTrue(first.onDevice());
            staged.restore(first, snap, ROOM, KvCache.Dtype.F32); // kept indices staged for the first token
            int plans = tornado.decodePlansBuilt();
            try (PrefillCapture second = PrefillCapture.run(new Transformer(model, tornado), prompt("town"), policies,
                    TaskType.QA, ROOM, KvCache.Dtype.F32)) {
                assertEquals(plans + 1, tornado.decodePlansBuilt(), "the second capture should get a plan of its own");
                staged.decode(1); // the first's keys and values are still there
                try (PrefillCapture third = PrefillCapture.run(new Transformer(model, tornado), prompt("river"), policies,
                        TaskType.QA, ROOM, KvCache.Dtype.F32)) {
                    assertEquals(plans + 1, tornado.decodePlansBuilt(), "the third capture should take the first's plan");
                    assertThrows(IllegalStateException.class, () -> staged.decode(2), "decoding the first after the third");
                    assertThrows(IllegalStateException.class, () -> {
                        try (Transformer late = new Transformer(model, tornado)) {
                            late.restore(first, snap, ROOM, KvCache.Dtype.F32);
                        }
                    }, "restoring the first after the third");
                    for (PrefillCapture ok : List.of(second, third)) {
                        try (Transformer tf = new Transformer(model, tornado)) {
                            tf.restore(ok, snap, ROOM, KvCache.Dtype.F32);
                            tf.decode(1);
                        }
                    }
                    assertThrows(IllegalStateException.class, () -> {
                        try (Transformer big = new Transformer(model, tornado)) {
                            big.restore(second, snap, 300, KvCache.Dtype.F32);
                        }
                    }, "a restore larger than the capture was sized for");
                }
            }
        }
    }

    /** The selection graphs the policies' kinds need; a policy without a device selection makes it QUERIES. */
    @Test
    void theModeHasTheSelectionGraphsOfThePoliciesKinds() {
        DeviceSelection top = DeviceSelection.topK(80, 80, 80, 7, 10);
        DeviceSelection win = DeviceSelection.windowOrder(80, 8, 4);
        DeviceSelection none = DeviceSelection.noScores();
        assertEquals(new TornadoPrefill.Mode(false, true, true),
                TornadoPrefill.Mode.of(new DeviceSelection[][] {{top, none}, {none, win}}));
        assertEquals(new TornadoPrefill.Mode(false, true, false), TornadoPrefill.Mode.of(new DeviceSelection[][] {{top, top}}));
        assertEquals(new TornadoPrefill.Mode(false, false, false), TornadoPrefill.Mode.single(none, none));
        assertTrue(TornadoPrefill.Mode.of(new DeviceSelection[][] {{top, null}, {top, win}}).queries());
        assertTrue(TornadoPrefill.Mode.of(new DeviceSelection[][] {{top}, null}).queries());
    }

    /** The kept prompt indices per layer and KV head and 8 greedy tokens after restoring {@code policy}. */
    private record Restored(int[][][] kept, int[] tokens) {
        static Restored of(Backend b, PrefillCapture capture, KvPolicy policy) {
            try (Transformer tf = new Transformer(model, b)) {
                return of(tf, capture, policy);
            }
        }

        private static Restored of(Transformer tf, PrefillCapture capture, KvPolicy policy) {
            tf.restore(capture, policy, ROOM, KvCache.Dtype.F32);
            ModelConfig c = model.config();
            int[][][] kept = new int[c.nLayers()][c.nKvHeads()][];
            for (int l = 0; l < c.nLayers(); l++) {
                for (int h = 0; h < c.nKvHeads(); h++) kept[l][h] = tf.cache().positions(l, h);
            }
            float[] logits = capture.logits();
            int[] out = new int[ROOM];
            for (int i = 0; i < out.length; i++) {
                out[i] = argmax(logits);
                if (i + 1 < out.length) logits = tf.decode(out[i]);
            }
            return new Restored(kept, out);
        }
    }

    private static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
        return best;
    }
}
