package dev.windowkv.engine.kvcache;

import dev.windowkv.engine.UserError;
import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.engine.gguf.Quantize;
import dev.windowkv.kernels.Half;
import dev.windowkv.kernels.quant.Q4_0;
import dev.windowkv.kernels.quant.Q8_0;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Q8_0 and Q4_0 KV caches: GGUF blocks per token and head, the weights' quantizer, exact bytes. */
class QuantizedKvCacheTest {
    static final int N_KV = 2;
    static final int D = 64; // two blocks of 32 per token and head

    static float[] gaussian(long seed, int n) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rnd.nextGaussian() * (1 + i % 5);
        return a;
    }

    static GGMLType ggml(KvCache.Dtype d) {
        return d == KvCache.Dtype.Q8_0 ? GGMLType.Q8_0 : GGMLType.Q4_0;
    }

    /** The {@code headDim} values of token {@code t}, head {@code h} of a prefill tensor {@code [n][N_KV][D]}. */
    static float[] row(float[] x, int t, int h) {
        return Arrays.copyOfRange(x, (t * N_KV + h) * D, (t * N_KV + h + 1) * D);
    }

    /** The stored blocks of slot {@code slot}, head {@code h}. */
    static byte[] slot(byte[] cache, KvCache.Dtype d, int capacity, int h, int slot) {
        int rowBytes = (int) d.rowBytes(D);
        int o = (h * capacity + slot) * rowBytes;
        return Arrays.copyOfRange(cache, o, o + rowBytes);
    }

    /** Each kept token's head is the bytes the weight quantizer makes of it, compacted and appended alike. */
    @ParameterizedTest
    @EnumSource(names = {"Q8_0", "Q4_0"})
    void storesEachTokenAndHeadAsTheWeightQuantizersBlocks(KvCache.Dtype dtype) {
        int n = 6, cap = 5;
        float[] k = gaussian(1, n * N_KV * D);
        float[] v = gaussian(2, n * N_KV * D);
        KvCache cache = new KvCache(1, N_KV, D, new int[] {cap}, dtype);
        int[][] kept = {{5, 1, 3}, {0, 2, 4}};
        cache.fillFromPrefill(0, k, v, n, KeptTokens.perKvHead(n, kept), TestBackends.THREADED);
        float[] next = gaussian(3, N_KV * D);
        float[] nextV = gaussian(4, N_KV * D);
        cache.append(0, next, 0, nextV, 0, 6);
        assertNull(cache.keysF32(0));
        assertNull(cache.keysF16(0));
        for (int h = 0; h < N_KV; h++) {
            for (int s = 0; s < 3; s++) {
                int t = kept[h][s];
                assertArrayEquals(Quantize.quantize(ggml(dtype), row(k, t, h)), slot(cache.keysQuant(0), dtype, cap, h, s));
                assertArrayEquals(Quantize.quantize(ggml(dtype), row(v, t, h)), slot(cache.valuesQuant(0), dtype, cap, h, s));
            }
            assertArrayEquals(Quantize.quantize(ggml(dtype), row(next, 0, h)), slot(cache.keysQuant(0), dtype, cap, h, 3));
            assertArrayEquals(Quantize.quantize(ggml(dtype), row(nextV, 0, h)), slot(cache.valuesQuant(0), dtype, cap, h, 3));
        }
        assertArrayEquals(new int[] {5, 1, 3, 6}, cache.positions(0, 0));
    }

    /**
     * What the cache holds dequantizes within the weights' error bounds (QuantizeTest): Q8_0 within
     * half a step d = amax/127 plus the f16 rounding of d over 127 steps; Q4_0 within a whole step
     * |d| (the clamp at q = 15 costs one) plus the f16 rounding of d over 8 steps.
     */
    @ParameterizedTest
    @EnumSource(names = {"Q8_0", "Q4_0"})
    void roundTripWithinTheBlockErrorBound(KvCache.Dtype dtype) {
        int n = 40;
        float[] k = gaussian(5, n * N_KV * D);
        KvCache cache = new KvCache(1, N_KV, D, new int[] {n}, dtype);
        cache.fillFromPrefill(0, k, k, n, null, TestBackends.SEQUENTIAL);
        byte[] stored = cache.keysQuant(0);
        float[] back = new float[D];
        double worst = 0;
        for (int h = 0; h < N_KV; h++) {
            for (int t = 0; t < n; t++) {
                byte[] blocks = slot(stored, dtype, n, h, t);
                if (dtype == KvCache.Dtype.Q8_0) Q8_0.dequantizeRow(blocks, 0, back, 0, D);
                else Q4_0.dequantizeRow(blocks, 0, back, 0, D);
                float[] x = row(k, t, h);
                for (int b = 0; b < D / 32; b++) {
                    float amax = 0;
                    for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[32 * b + j]));
                    float bound = dtype == KvCache.Dtype.Q8_0
                            ? amax / 127 * (0.5f + 127f / 2048f) + 1e-6f
                            : Math.abs(scale(blocks, b * dtype.blockBytes)) * (1f + 8f / 2048f) + 1e-6f;
                    for (int j = 0; j < 32; j++) {
                        int i = 32 * b + j;
                        assertEquals(x[i], back[i], bound, dtype + " head " + h + " token " + t + " value " + i);
                        worst = Math.max(worst, Math.abs(x[i] - back[i]) / amax);
                    }
                }
            }
        }
        assertTrue(worst > 0, "the test must see rounding at all");
        System.out.printf("%s KV round trip: worst error %.4f of the block's amax%n", dtype, worst);
    }

    static float scale(byte[] block, int o) {
        return Half.f16ToF32(block[o] & 0xff | (block[o + 1] & 0xff) << 8);
    }

    /**
     * Worked by hand: 2 layers, 2 KV heads, headDim 64 (two blocks per token and head). Layer 0
     * keeps 3 tokens, layer 1 all 5.
     * <ul>
     *   <li>Q8_0: a head's row is 2 × 34 = 68 bytes; layer 0 = 3 tokens × 2 heads × (K and V) × 68 = 816;
     *       layer 1 = 5 × 2 × 2 × 68 = 1360; FullKV of 5 tokens = 2 × 1360 = 2720.</li>
     *   <li>Q4_0: a row is 2 × 18 = 36 bytes; layer 0 = 3 × 2 × 2 × 36 = 432; layer 1 = 720.</li>
     *   <li>F16: a row is 128 bytes; layer 0 = 1536. F32: 256 bytes; layer 0 = 3072.</li>
     * </ul>
     */
    @Test
    void accountingIsExactToTheByte() {
        long[][] expected = {
                // layer 0, layer 1, all, full(5), after one append to layer 0
                {3072, 5120, 8192, 10240, 3072 + 1024},
                {1536, 2560, 4096, 5120, 1536 + 512},
                {816, 1360, 2176, 2720, 816 + 272},
                {432, 720, 1152, 1440, 432 + 144}};
        KvCache.Dtype[] dtypes = {KvCache.Dtype.F32, KvCache.Dtype.F16, KvCache.Dtype.Q8_0, KvCache.Dtype.Q4_0};
        for (int i = 0; i < dtypes.length; i++) {
            KvCache c = new KvCache(2, N_KV, D, new int[] {8, 8}, dtypes[i]);
            float[] x = gaussian(6, 5 * N_KV * D);
            c.fillFromPrefill(0, x, x, 5, KeptTokens.shared(5, new int[] {0, 4, 2}, N_KV), TestBackends.SEQUENTIAL);
            c.fillFromPrefill(1, x, x, 5, null, TestBackends.SEQUENTIAL);
            String at = dtypes[i].toString();
            assertEquals(expected[i][0], c.bytes(0), at);
            assertEquals(expected[i][1], c.bytes(1), at);
            assertEquals(expected[i][2], c.bytes(), at);
            assertEquals(expected[i][3], c.fullBytes(5), at);
            c.append(0, x, 0, x, 0, 5);
            assertEquals(expected[i][4], c.bytes(0), at);
        }
        assertEquals(34, KvCache.Dtype.Q8_0.rowBytes(32));
        assertEquals(18, KvCache.Dtype.Q4_0.rowBytes(32));
    }

    /**
     * "More tokens at lower precision": at a head dimension of 64, Q4_0 holds a token's head in
     * 36 bytes, F16 in 128, so twice the tokens in Q4_0 take 72/128 of F16's bytes, and even four
     * times the tokens (144) take only slightly more than F16 at one.
     */
    @Test
    void q4_0AtTwiceTheBudgetTakesFewerBytesThanF16AtTheBudget() {
        int budget = 64;
        float[] x = gaussian(7, 4 * budget * N_KV * D);
        KvCache f16 = new KvCache(1, N_KV, D, new int[] {budget}, KvCache.Dtype.F16);
        KvCache q4 = new KvCache(1, N_KV, D, new int[] {2 * budget}, KvCache.Dtype.Q4_0);
        f16.fillFromPrefill(0, x, x, budget, null, TestBackends.SEQUENTIAL);
        q4.fillFromPrefill(0, x, x, 2 * budget, null, TestBackends.SEQUENTIAL);
        assertEquals(2 * f16.length(0), q4.length(0));
        assertEquals(budget * N_KV * 2 * 128L, f16.bytes());
        assertEquals(2 * budget * N_KV * 2 * 36L, q4.bytes());
        assertTrue(q4.bytes() < f16.bytes(), q4.bytes() + " bytes of Q4_0 vs " + f16.bytes() + " of F16");
    }

    @Test
    void aHeadDimensionThatIsNotWholeBlocksIsAUserError() {
        UserError e = assertThrows(UserError.class, () -> new KvCache(1, 1, 72, new int[] {4}, KvCache.Dtype.Q4_0));
        assertTrue(e.getMessage().contains("q4_0") && e.getMessage().contains("72"), e.getMessage());
        new KvCache(1, 1, 72, new int[] {4}, KvCache.Dtype.F16); // the float types take any head size
    }

    @Test
    void dtypesByTheirCommandLineNames() {
        assertSame(KvCache.Dtype.Q8_0, KvCache.Dtype.byId("q8_0"));
        assertSame(KvCache.Dtype.Q4_0, KvCache.Dtype.byId("Q4_0"));
        assertSame(KvCache.Dtype.F16, KvCache.Dtype.byId("f16"));
        assertNull(KvCache.Dtype.byId("q4_k"));
    }
}
