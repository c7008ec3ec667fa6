package dev.windowkv.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The split decode attention (every partial, then the combine) is {@link Attention#decode}, with GQA,
 * for a cache of one key, one split exactly, a split and a bit, a non-multiple of the split, and a
 * full cache.
 */
class SplitAttentionTest {
    private static final int HEADS = 6, KV_HEADS = 2, HEAD_DIM = 24, CAPACITY = 4 * SplitAttention.SLOTS;
    private static final int[] LENGTHS = {1, SplitAttention.SLOTS, SplitAttention.SLOTS + 1, 150, CAPACITY};

    private static float[] gaussian(Random r, int n, float sigma) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian() * sigma;
        return a;
    }

    /** Every head through the two passes, as the device runs them: partials of every split, then the combine. */
    private static float[] split(float[] q, float[] k, float[] v, int length, float scale, float[] partMax) {
        int splits = SplitAttention.splits(CAPACITY);
        float[] partSum = new float[HEADS * splits], partOut = new float[HEADS * splits * HEAD_DIM];
        for (int h = 0; h < HEADS; h++) {
            for (int s = 0; s < splits; s++) {
                SplitAttention.partial(q, h * HEAD_DIM, k, v, CAPACITY, length, h / (HEADS / KV_HEADS), HEAD_DIM, scale,
                        s, partMax, partSum, partOut, h * splits + s);
            }
        }
        float[] out = new float[HEADS * HEAD_DIM];
        for (int h = 0; h < HEADS; h++) {
            for (int d = 0; d < HEAD_DIM; d++) {
                out[h * HEAD_DIM + d] = SplitAttention.combine(partMax, partSum, partOut, h * splits,
                        SplitAttention.used(length), HEAD_DIM, d);
            }
        }
        return out;
    }

    private static float[] whole(float[] q, float[] k, float[] v, int length, float scale) {
        float[] out = new float[HEADS * HEAD_DIM];
        for (int h = 0; h < HEADS; h++) {
            Attention.decode(q, h * HEAD_DIM, k, v, CAPACITY, length, h / (HEADS / KV_HEADS), HEAD_DIM, out, h * HEAD_DIM,
                    scale);
        }
        return out;
    }

    private static void agree(float querySigma, long seed) {
        Random r = new Random(seed);
        float scale = (float) (1 / Math.sqrt(HEAD_DIM));
        float[] k = gaussian(r, KV_HEADS * CAPACITY * HEAD_DIM, 1f), v = gaussian(r, k.length, 1f);
        float[] q = gaussian(r, HEADS * HEAD_DIM, querySigma);
        for (int length : LENGTHS) {
            float[] partMax = new float[HEADS * SplitAttention.splits(CAPACITY)];
            float[] expected = whole(q, k, v, length, scale), actual = split(q, k, v, length, scale, partMax);
            for (int i = 0; i < expected.length; i++) {
                assertTrue(Float.isFinite(actual[i]), "length " + length + " [" + i + "] " + actual[i]);
                assertEquals(expected[i], actual[i], 2e-5f * Math.max(1f, Math.abs(expected[i])),
                        "q sigma " + querySigma + ", length " + length + " [" + i + "]");
            }
            for (int p = 0; p < partMax.length; p++) { // a split past the length is empty
                boolean empty = p % SplitAttention.splits(CAPACITY) >= SplitAttention.used(length);
                assertEquals(empty, partMax[p] == Float.NEGATIVE_INFINITY, "partial " + p + " at length " + length);
            }
        }
    }

    @Test
    void theTwoPassesAreTheWholeCachesAttention() {
        agree(1f, 1);
    }

    /**
     * Scores in the hundreds: exp of a raw score would overflow, and the splits' maxima differ by far
     * more than a rounding, so a combine that did not rescale each partial to the common max would
     * be off by orders of magnitude.
     */
    @Test
    void peakedScoresAcrossSplitsAgreeToo() {
        agree(40f, 2);
    }

    @Test
    void splitsCoverTheCapacityAndUsedTheLength() {
        assertEquals(4, SplitAttention.splits(CAPACITY));
        assertEquals(5, SplitAttention.splits(CAPACITY + 1));
        assertEquals(1, SplitAttention.used(1));
        assertEquals(1, SplitAttention.used(SplitAttention.SLOTS));
        assertEquals(2, SplitAttention.used(SplitAttention.SLOTS + 1));
    }
}
