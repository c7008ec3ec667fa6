package dev.windowkv.engine.model;

import dev.windowkv.engine.backend.Backend;
import dev.windowkv.engine.backend.Backends;
import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.engine.kvcache.KvCache;
import dev.windowkv.engine.kvcache.Policies;
import dev.windowkv.engine.testutil.RandomModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Qwen3's QK-norm without llama.cpp: its per-head RMSNorm makes attention blind to the scale of the
 * query and key projections, so a file whose {@code attn_q}/{@code attn_k} are 8 times larger is the
 * same model (without the norm its attention logits would be 64 times sharper).
 */
class QkNormTest {
    @TempDir
    Path dir;

    @Test
    void qwen3LoadsItsNormsAndHeadsWiderThanDimOverHeads() {
        RandomModels.Spec spec = RandomModels.qwen3(GGMLType.Q8_0);
        try (Model m = Model.load(RandomModels.file(spec))) {
            ModelConfig c = m.config();
            assertEquals(Architecture.QWEN3, c.arch());
            assertEquals(64, c.headDim(), "key_length, not 128 / 4 heads");
            assertEquals(256, c.qDim());
            assertEquals(128, c.kvDim());
            LayerWeights w = m.layer(1);
            assertEquals(64, w.qNorm().length);
            assertEquals(64, w.kNorm().length);
            assertNull(w.bq(), "qwen3 has no QKV bias");
            assertEquals(256, w.wq().rows());
            assertEquals(256, w.wo().cols());
        }
        try (Model m = Model.load(RandomModels.file(RandomModels.qwen2(GGMLType.Q8_0)))) {
            assertNull(m.layer(0).qNorm(), "qwen2 has no QK-norm");
            assertNotNull(m.layer(0).bq(), "qwen2 has QKV biases");
        }
    }

    @Test
    void qwen3IsBlindToTheScaleOfItsQueryAndKeyWeights() {
        RandomModels.Spec spec = RandomModels.qwen3(GGMLType.Q8_0);
        Path plain = RandomModels.file(spec);
        Path scaled = dir.resolve("scaled.gguf");
        RandomModels.write(spec, scaled, 8f);
        float[][] a = logits(plain);
        float[][] b = logits(scaled);
        for (int i = 0; i < a.length; i++) {
            float max = 0;
            for (float x : a[i]) max = Math.max(max, Math.abs(x));
            // Q8_0 blocks scale with their values, so the quantized weights are the same up to float rounding
            assertArrayEquals(a[i], b[i], 1e-4f * max, (i == 0 ? "after the prompt" : "decode step " + i));
        }
    }

    /** Logits after a 12-token prompt (prefill) and after each of 4 decoded tokens, on the scalar backend. */
    private static float[][] logits(Path file) {
        try (Model m = Model.load(file); Backend backend = Backends.create("scalar", 1)) {
            ModelConfig c = m.config();
            SplittableRandom rnd = new SplittableRandom(7);
            int[] prompt = new int[12];
            for (int i = 0; i < prompt.length; i++) prompt[i] = rnd.nextInt(1000, 100_000);
            Transformer tf = new Transformer(m, backend);
            var compressor = Policies.create("full", Map.of()).start(c.nLayers(), c.nHeads(), c.nKvHeads(), c.headDim(),
                    prompt.length, null);
            float[][] out = new float[5][];
            out[0] = tf.prefill(prompt, compressor, 4, KvCache.Dtype.F32);
            for (int i = 1; i < out.length; i++) out[i] = tf.decode(1000 + 17 * i);
            return out;
        }
    }
}
