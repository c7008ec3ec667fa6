package dev.windowkv.kernels.kv;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class KvKernelsTest {
    @Test
    void accumulatedAttentionWithTheCausalAndTheWindowOnlyMask() {
        // Two tokens, head dim 1, queries 1, keys (0, ln 3): query 0 sees only key 0 (p = 1);
        // query 1 gives keys 0 and 1 the probabilities 1/4 and 3/4.
        float[] q = {1, 1};
        float[] k = {0, (float) Math.log(3)};
        assertArrayEquals(new float[] {1.25f, 0.75f}, scores(q, k, 0), 1e-6f);
        // causalFrom = 2 (no query masked): query 0 also sees key 1.
        assertArrayEquals(new float[] {0.5f, 1.5f}, scores(q, k, 2), 1e-6f);
    }

    static float[] scores(float[] q, float[] k, int causalFrom) {
        float[] max = new float[2], sum = new float[2], a = new float[2];
        for (int i = 0; i < 2; i++) ObservationScores.rowStats(i, q, k, 2, 1, 1, 1, 0, causalFrom, 1f, max, sum);
        for (int j = 0; j < 2; j++) ObservationScores.accumulate(j, q, k, 2, 1, 1, 1, 0, causalFrom, 1f, max, sum, 2, a);
        return a;
    }

    @Test
    void queryHeadsSumIntoTheirKvHead() {
        // 4 query heads × 2 keys → 2 KV heads: heads 0,1 → KV 0, heads 2,3 → KV 1.
        float[] a = {1, 2, 3, 4, 5, 6, 7, 8};
        float[] out = new float[4];
        for (int i = 0; i < 4; i++) ObservationScores.sumPerKvHead(i, a, 4, 2, 2, out);
        assertArrayEquals(new float[] {4, 6, 12, 14}, out);
    }

    @Test
    void windowPlacesAreADescendingStableSort() {
        float[] score = {0.5f, 2f, 0.5f, 3f, 2f, 0f};
        int[] order = new int[score.length];
        for (int w = 0; w < score.length; w++) WindowRanking.place(w, score, score.length, order);
        assertArrayEquals(new int[] {3, 1, 4, 0, 2, 5}, order);
        Random rnd = new Random(3);
        for (int trial = 0; trial < 50; trial++) {
            int n = 1 + rnd.nextInt(40);
            float[] s = new float[n];
            for (int i = 0; i < n; i++) s[i] = rnd.nextInt(6) * 0.25f; // many ties
            int[] o = new int[n];
            for (int w = 0; w < n; w++) WindowRanking.place(w, s, n, o);
            Integer[] expected = new Integer[n];
            for (int i = 0; i < n; i++) expected[i] = i;
            java.util.Arrays.sort(expected, (x, y) -> Float.compare(s[y], s[x])); // stable: ties keep index order
            for (int i = 0; i < n; i++) assertEquals(expected[i], o[i], "place " + i);
        }
    }

    @Test
    void maxPoolKernelSevenPadsThreeOnEachSide() {
        float[] in = {1, 0, 0, 0, 0, 0, 0, 0, 5, 0};
        float[] out = new float[10];
        for (int j = 0; j < 10; j++) MaxPool1d.maxPool(j, in, out, 10, 7);
        assertArrayEquals(new float[] {1, 1, 1, 1, 0, 5, 5, 5, 5, 5}, out);
    }

    @Test
    void windowScoresAverageAndTopHalf() {
        // 2 heads × R = 5, windows of 4: {0..3} and the partial {4}.
        float[] a = {
            1, 8, 2, 5, 3,
            4, 0, 6, 2, 1,
        };
        float[] avg = new float[2], max = new float[2];
        for (int w = 0; w < 2; w++) {
            WindowPooling.average(w, a, 2, 5, 5, 4, avg);
            WindowPooling.max(w, a, 2, 5, 5, 4, 2, max);
        }
        // average: (1+8+2+5 + 4+0+6+2)/8 = 3.5 ; (3+1)/2 = 2
        assertArrayEquals(new float[] {3.5f, 2f}, avg);
        // max, m = 2: head 0 top {8,5}, head 1 top {6,4} → 23/4 ; partial window m = 1 → (3+1)/2
        assertArrayEquals(new float[] {5.75f, 2f}, max);
    }

    @Test
    void maxPoolingCountsTiedValuesOnce() {
        float[] a = {3, 3, 3, 1};
        float[] s = new float[1];
        WindowPooling.max(0, a, 1, 4, 4, 4, 2, s);
        assertEquals(3f, s[0]);
    }

    @Test
    void f16StorageRoundsLikeTheJdk() {
        Random r = new Random(7);
        float[] special = {0f, -0f, 1f, 65504f, 65520f, 1e6f, -1e6f, 6.1e-5f, 5.96e-8f, 2.98e-8f, 2.99e-8f, 1e-10f,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1.00048828125f, 1.00146484375f, 0.1f, -2.5f};
        int n = special.length + 20000;
        float[] x = new float[n];
        System.arraycopy(special, 0, x, 0, special.length);
        for (int i = special.length; i < n; i++) {
            x[i] = Float.intBitsToFloat(r.nextInt()) ; // every exponent, including NaN patterns
            if (Float.isNaN(x[i])) x[i] = (float) r.nextGaussian();
        }
        short[] k = new short[n], v = new short[n];
        int[] kept = new int[n];
        for (int i = 0; i < n; i++) kept[i] = i;
        for (int i = 0; i < n; i++) KvCompaction.gatherF16(i, x, x, 1, 1, kept, n, n, k, v);
        for (int i = 0; i < n; i++) {
            assertEquals(Float.floatToFloat16(x[i]), k[i], "value " + x[i]);
        }
    }
}
