package dev.windowkv.engine.kvcache;

import dev.windowkv.engine.Generator;
import dev.windowkv.engine.backend.Backend;
import dev.windowkv.engine.backend.Backends;
import dev.windowkv.engine.model.Model;
import dev.windowkv.engine.model.ModelConfig;
import dev.windowkv.engine.model.PrefillCapture;
import dev.windowkv.engine.model.Transformer;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.windowkv.engine.kvcache.TestBackends.layer;
import static dev.windowkv.engine.kvcache.TestBackends.ones;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Attention scores are memoised for one prefill only. A caller that reuses its q/k buffers for a
 * second prompt gets the second prompt's selection (a static memo keyed by the arrays' identity
 * handed back the first prompt's), while the policies compressing one capture share its scores.
 */
class ScoresBelongToOnePrefillTest {
    @Test
    void reusedBuffersWithNewContentsSelectByTheNewContents() {
        // Ten tokens, observation window 2, budget 3, no pooling: one review token is kept, the heaviest key.
        float[] q = ones(10);
        float[] k = new float[10];
        SnapKvPolicy snap = new SnapKvPolicy(3, 2, 1);
        k[2] = 6;
        assertArrayEquals(new int[] {2, 8, 9}, snap.start(1, 1, 1, 1, 10, null).select(layer(0, 1, 1, q, k)).indices(0));
        k[2] = 0;
        k[5] = 6;
        assertArrayEquals(new int[] {5, 8, 9}, snap.start(1, 1, 1, 1, 10, null).select(layer(0, 1, 1, q, k)).indices(0),
                "the second prompt in the same buffers");
        WindowKvPolicy windows = new WindowKvPolicy(4, 4, 2, 2, 1, 14, WindowKvPolicy.Strategy.MAX);
        k[5] = 0;
        k[1] = 6;
        assertArrayEquals(new int[] {0, 1, 2, 3, 8, 9},
                windows.start(1, 1, 1, 1, 10, null).select(layer(0, 1, 1, q, k)).indices(0));
        k[1] = 0;
        k[6] = 6;
        assertArrayEquals(new int[] {4, 5, 6, 7, 8, 9},
                windows.start(1, 1, 1, 1, 10, null).select(layer(0, 1, 1, q, k)).indices(0),
                "windowkv: the second prompt in the same buffers");
    }

    @Test
    void policiesCompressingOneCaptureShareItsScores() {
        try (Model m = Model.load(Path.of("../experiments/models/windowkv-induction.gguf")); Backend b = Backends.create("vector", 2)) {
            ModelConfig c = m.config();
            int[] tokens = new int[80];
            Random rnd = new Random(3);
            for (int j = 0; j < tokens.length; j++) tokens[j] = 3 + rnd.nextInt(200);
            List<KvPolicy> policies = new java.util.ArrayList<>();
            for (String budget : new String[] {"16", "24", "32"}) {
                for (String policy : new String[] {"snapkv", "pyramidkv"}) policies.add(Policies.create(policy, Map.of("budget", budget)));
            }
            try (PrefillCapture capture = new Generator(m, b).capture(tokens, policies, TaskType.QA)) {
                for (KvPolicy p : policies) new Transformer(m, b).restore(capture, p, 2, KvCache.Dtype.F32);
                for (int l = 0; l < c.nLayers(); l++) {
                    assertEquals(1, capture.scoreRanges(l), "one observation range, scored once, layer " + l);
                }
            }
        }
    }
}
