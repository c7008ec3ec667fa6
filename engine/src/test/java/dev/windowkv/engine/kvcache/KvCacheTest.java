package dev.windowkv.engine.kvcache;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class KvCacheTest {
    static final int N_KV = 2;
    static final int D = 4;

    /** Prefill tensors {@code [n][2][4]} whose element is {@code 100·token + 10·head + d} (values negated). */
    static float[] tensor(int n, float sign) {
        float[] t = new float[n * N_KV * D];
        for (int i = 0; i < n; i++) {
            for (int h = 0; h < N_KV; h++) {
                for (int d = 0; d < D; d++) {
                    t[(i * N_KV + h) * D + d] = sign * (100 * i + 10 * h + d);
                }
            }
        }
        return t;
    }

    @Test
    void compactionGathersEachHeadsKeptTokensIntoItsSlots() {
        KvCache cache = new KvCache(1, N_KV, D, new int[] {4}, KvCache.Dtype.F32);
        KeptTokens kept = KeptTokens.perKvHead(6, new int[][] {{5, 1, 3}, {0, 2, 4}});
        cache.fillFromPrefill(0, tensor(6, 1), tensor(6, -1), 6, kept, TestBackends.SEQUENTIAL);
        float[] k = cache.keysF32(0);
        // head 0, slot 0 ← token 5; slot 1 ← token 1; head 1 (offset capacity·D = 16), slot 2 ← token 4.
        assertArrayEquals(new float[] {500, 501, 502, 503}, java.util.Arrays.copyOfRange(k, 0, 4));
        assertArrayEquals(new float[] {100, 101, 102, 103}, java.util.Arrays.copyOfRange(k, 4, 8));
        assertArrayEquals(new float[] {410, 411, 412, 413}, java.util.Arrays.copyOfRange(k, 16 + 8, 16 + 12));
        assertEquals(-410f, cache.valuesF32(0)[16 + 8]);
        assertArrayEquals(new int[] {5, 1, 3}, cache.positions(0, 0));
        assertArrayEquals(new int[] {0, 2, 4}, cache.positions(0, 1));
        assertEquals(3, cache.length(0));
        assertNull(cache.keysF16(0));

        cache.append(0, tensor(7, 1), 6 * N_KV * D, tensor(7, -1), 6 * N_KV * D, 6);
        assertEquals(4, cache.length(0));
        assertEquals(610f, cache.keysF32(0)[16 + 12]);
        assertEquals(-613f, cache.valuesF32(0)[16 + 15]);
        assertArrayEquals(new int[] {0, 2, 4, 6}, cache.positions(0, 1));
        assertThrows(IllegalStateException.class, () -> cache.append(0, tensor(1, 1), 0, tensor(1, 1), 0, 7));
    }

    @Test
    void keepAllCopiesThePromptInOrder() {
        KvCache cache = new KvCache(1, N_KV, D, new int[] {5}, KvCache.Dtype.F32);
        cache.fillFromPrefill(0, tensor(3, 1), tensor(3, 1), 3, null, TestBackends.SEQUENTIAL);
        assertArrayEquals(new int[] {0, 1, 2}, cache.positions(0, 1));
        assertEquals(210f, cache.keysF32(0)[5 * D + 2 * D]);
        assertThrows(IllegalStateException.class,
                () -> cache.fillFromPrefill(0, tensor(6, 1), tensor(6, 1), 6, KeptTokens.all(6), TestBackends.SEQUENTIAL));
    }

    @Test
    void accountingIsExactToTheByte() {
        int[] capacity = {8, 8};
        KvCache f32 = new KvCache(2, N_KV, D, capacity, KvCache.Dtype.F32);
        KvCache f16 = new KvCache(2, N_KV, D, capacity, KvCache.Dtype.F16);
        for (KvCache c : new KvCache[] {f32, f16}) {
            c.fillFromPrefill(0, tensor(5, 1), tensor(5, 1), 5, KeptTokens.shared(5, new int[] {0, 4, 2}, N_KV), TestBackends.SEQUENTIAL);
            c.fillFromPrefill(1, tensor(5, 1), tensor(5, 1), 5, null, TestBackends.SEQUENTIAL);
        }
        // layer 0: 3 tokens × 2 heads × 4 dims × (K and V) × 4 bytes = 192; layer 1: 5 tokens = 320.
        assertEquals(192, f32.bytes(0));
        assertEquals(320, f32.bytes(1));
        assertEquals(512, f32.bytes());
        assertEquals(640, f32.fullBytes(5)); // 2 layers × 5 tokens × 2 × 4 × 2 × 4
        assertEquals(0.8, f32.ratioToFull(5), 1e-12);
        assertEquals(96, f16.bytes(0));
        assertEquals(256, f16.bytes());
        assertEquals(320, f16.fullBytes(5));
        assertArrayEquals(new int[] {3, 5}, f32.tokensPerLayer());
        f32.append(0, tensor(1, 1), 0, tensor(1, 1), 0, 5);
        assertEquals(192 + 64, f32.bytes(0));
    }

    @Test
    void f16StoresRoundedHalfBits() {
        KvCache cache = new KvCache(1, 1, 2, new int[] {1}, KvCache.Dtype.F16);
        float[] k = {1.0f, 0.1f};
        float[] v = {-2.5f, 65504f};
        cache.fillFromPrefill(0, k, v, 1, null, TestBackends.SEQUENTIAL);
        assertNull(cache.keysF32(0));
        assertArrayEquals(new short[] {0x3c00, 0x2e66}, cache.keysF16(0));
        assertArrayEquals(new short[] {(short) 0xc100, 0x7bff}, cache.valuesF16(0));
    }

    @Test
    void raggedSelectionsGiveEachHeadItsOwnLengthAndDecodeAppendsAfterIt() {
        KvCache cache = new KvCache(1, N_KV, D, new int[] {4}, KvCache.Dtype.F32);
        KeptTokens kept = KeptTokens.ragged(6, new int[][] {{5}, {0, 2, 4}});
        cache.fillFromPrefill(0, tensor(6, 1), tensor(6, -1), 6, kept, TestBackends.SEQUENTIAL);
        assertEquals(1, cache.length(0, 0));
        assertEquals(3, cache.length(0, 1));
        assertEquals(3, cache.length(0));
        assertArrayEquals(new int[] {5}, cache.positions(0, 0));
        assertArrayEquals(new int[][] {{1, 3}}, cache.tokensPerHead());
        assertArrayEquals(new int[] {2}, cache.tokensPerLayer()); // (1 + 3) / 2
        assertEquals((1 + 3) * D * 2 * 4, cache.bytes(0));

        cache.append(0, tensor(7, 1), 6 * N_KV * D, tensor(7, -1), 6 * N_KV * D, 6);
        // Head 0's decoded token goes to its slot 1, right after its one prompt token.
        assertArrayEquals(new float[] {600, 601, 602, 603}, java.util.Arrays.copyOfRange(cache.keysF32(0), D, 2 * D));
        assertArrayEquals(new int[] {5, 6}, cache.positions(0, 0));
        assertArrayEquals(new int[] {0, 2, 4, 6}, cache.positions(0, 1));
        assertThrows(IllegalStateException.class, () -> cache.append(0, tensor(1, 1), 0, tensor(1, 1), 0, 7));
    }

    @Test
    void decodeAttentionReadsOnlyEachHeadsOwnTokens() {
        // KV head 0 keeps tokens 1 and 5, head 1 four tokens. A zero query attends uniformly, so head 0's
        // output is the mean of values 1 and 5 (−300 − d), head 1's of 0, 2, 3, 4 (−235 − d); reading head 1's length would add two
        // padding slots and pull it towards token 5.
        KvCache cache = new KvCache(1, N_KV, D, new int[] {4}, KvCache.Dtype.F32);
        cache.fillFromPrefill(0, tensor(6, 1), tensor(6, -1), 6, KeptTokens.ragged(6, new int[][] {{1, 5}, {0, 2, 3, 4}}),
                TestBackends.SEQUENTIAL);
        float[] q = new float[N_KV * D];
        for (dev.windowkv.engine.backend.Backend b : TestBackends.all()) {
            float[] out = new float[N_KV * D];
            b.attentionDecode(q, cache, 0, out, N_KV);
            assertArrayEquals(new float[] {-300, -301, -302, -303}, java.util.Arrays.copyOfRange(out, 0, D), 1e-3f, b.name());
            assertArrayEquals(new float[] {-235, -236, -237, -238}, java.util.Arrays.copyOfRange(out, D, 2 * D), 1e-3f, b.name());
        }
    }
}
