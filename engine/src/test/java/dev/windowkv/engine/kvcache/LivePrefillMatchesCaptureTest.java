package dev.windowkv.engine.kvcache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.windowkv.engine.Generator;
import dev.windowkv.engine.backend.Backend;
import dev.windowkv.engine.backend.Backends;
import dev.windowkv.engine.model.Model;
import dev.windowkv.engine.model.ModelConfig;
import dev.windowkv.engine.model.PrefillCapture;
import dev.windowkv.engine.model.Transformer;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A live prefill (generate) keeps the same tokens as compressing a captured prefill (a sweep). The
 * live prefill reuses one q/k array for every layer, so scores memoised by array alone gave every
 * layer the first layer's scores.
 */
class LivePrefillMatchesCaptureTest {
    private static final Path DEFAULT_MODEL = Path.of("../experiments/models/windowkv-induction.gguf");

    @ParameterizedTest
    @ValueSource(strings = {"snapkv", "pyramidkv", "h2o", "windowkv"})
    void everyLayerKeepsWhatTheCaptureKeeps(String policy) {
        try (Model m = Model.load(DEFAULT_MODEL); Backend b = Backends.create("vector", 2)) {
            ModelConfig c = m.config();
            Random rnd = new Random(1);
            int[] tokens = new int[120];
            for (int j = 0; j < tokens.length; j++) tokens[j] = 3 + rnd.nextInt(200);
            Map<String, String> options = Map.of("budget", "24", "groupSize", "2");
            Map<String, String> opts = policy.equals("windowkv") ? options : Map.of("budget", "24");
            Transformer live = new Transformer(m, b);
            live.prefill(tokens, start(policy, opts, c, tokens.length), 4, KvCache.Dtype.F32);
            KvPolicy p = Policies.create(policy, opts);
            try (PrefillCapture capture = new Generator(m, b).capture(tokens, List.of(p), TaskType.QA)) {
                Transformer restored = new Transformer(m, b);
                restored.restore(capture, p, 4, KvCache.Dtype.F32);
                for (int l = 0; l < c.nLayers(); l++) {
                    for (int h = 0; h < c.nKvHeads(); h++) {
                        assertArrayEquals(restored.cache().positions(l, h), live.cache().positions(l, h),
                                policy + ": layer " + l + ", KV head " + h);
                    }
                }
            }
        }
    }

    private static Compressor start(String policy, Map<String, String> options, ModelConfig c, int n) {
        return Policies.create(policy, options).start(c.nLayers(), c.nHeads(), c.nKvHeads(), c.headDim(), n, TaskType.QA);
    }
}
