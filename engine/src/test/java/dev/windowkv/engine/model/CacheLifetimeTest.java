package dev.windowkv.engine.model;

import dev.windowkv.engine.backend.Backend;
import dev.windowkv.engine.backend.Backends;
import dev.windowkv.engine.backend.VectorBackend;
import dev.windowkv.engine.kvcache.Compressor;
import dev.windowkv.engine.kvcache.KvCache;
import dev.windowkv.engine.kvcache.Policies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A transformer owns the KV cache its prefill makes, off the heap: a new prefill frees the previous
 * one, {@code close} frees the current one, and a freed cache refuses to be decoded over with an
 * error that names the cause, while what it recorded stays readable.
 */
class CacheLifetimeTest {
    private static final Path MODEL = Path.of("../experiments/models/windowkv-induction.gguf");

    private static Compressor full(ModelConfig c, int n) {
        return Policies.create("full", Map.of()).start(c.nLayers(), c.nHeads(), c.nKvHeads(), c.headDim(), n, null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void aNewPrefillAndCloseFreeTheCache(String backend) {
        try (Model m = Model.load(MODEL); Backend b = Backends.create(backend, 2)) {
            ModelConfig c = m.config();
            int n = 40;
            Transformer tf = new Transformer(m, b);
            tf.prefill(PrefillCaptureTest.tokens(n, 1), full(c, n), 4, KvCache.Dtype.F32);
            tf.decode(5);
            KvCache first = tf.cache();
            long firstBytes = first.bytes();
            assertFalse(first.isFreed());

            tf.prefill(PrefillCaptureTest.tokens(n, 2), full(c, n), 4, KvCache.Dtype.F32);
            assertTrue(first.isFreed(), "the second prefill freed the first cache");
            assertFalse(tf.cache().isFreed());
            float[] out = new float[c.qDim()];
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> b.attentionDecode(new float[c.qDim()], first, 0, out, c.nHeads()));
            assertTrue(e.getMessage().contains("KV cache was freed"), e.getMessage());
            assertEquals(firstBytes, first.bytes(), "what the freed cache recorded stays readable");
            int[] expected = new int[n + 1];
            for (int i = 0; i <= n; i++) expected[i] = i;
            assertArrayEquals(expected, first.positions(0, 0));

            float[] logits = tf.decode(7); // the new cache decodes
            assertEquals(m.output().rows(), logits.length);
            KvCache second = tf.cache();
            tf.close();
            assertTrue(second.isFreed());
            e = assertThrows(IllegalStateException.class, () -> tf.decode(9));
            assertTrue(e.getMessage().contains("KV cache was freed"), e.getMessage());
            tf.close(); // twice is fine
        }
    }

    @Test
    void theVectorBackendHoldsNoPrefillBuffersOnceThePrefillIsOver() {
        try (Model m = Model.load(MODEL); VectorBackend b = new VectorBackend(2)) {
            ModelConfig c = m.config();
            int n = 300;
            Transformer tf = new Transformer(m, b);
            tf.prefillChunk(64); // chunks: the transposed keys and values are sized for the whole prompt
            tf.prefill(PrefillCaptureTest.tokens(n, 3), Policies.create("snapkv", Map.of("budget", "64")).start(c.nLayers(),
                    c.nHeads(), c.nKvHeads(), c.headDim(), n, null), 4, KvCache.Dtype.F32);
            assertEquals(0, b.prefillBufferFloats(), "the decode keeps no prefill buffer live");
            tf.decode(5);
            tf.prefill(PrefillCaptureTest.tokens(n, 4), full(c, n), 4, KvCache.Dtype.F32);
            assertEquals(0, b.prefillBufferFloats(), "nor after a FullKV prefill straight into the cache");
            tf.close();
        }
    }
}
