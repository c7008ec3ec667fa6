package dev.windowkv.engine.backend;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The vector backend reuses one transposed-key buffer for every prefill attention call. A call after
 * a longer one, whose keys were huge, must give the bits a fresh backend gives: the stale keys in the
 * padding of the last key block must not leak into the scores.
 */
class VectorPrefillBufferTest {

    @Test
    void aShorterPrefillAfterALongerOneGivesTheFreshResult() {
        int heads = 4, kvHeads = 2, headDim = 64;
        SplittableRandom rnd = new SplittableRandom(11);
        try (VectorBackend reused = new VectorBackend(2); VectorBackend fresh = new VectorBackend(2)) {
            int big = 301;
            float[] hugeK = new float[big * kvHeads * headDim];
            java.util.Arrays.fill(hugeK, 3e4f);
            float[] q0 = BackendAgreementTest.gaussian(rnd, big * heads * headDim);
            float[] v0 = BackendAgreementTest.gaussian(rnd, big * kvHeads * headDim);
            reused.attentionPrefill(q0, hugeK, v0, new float[q0.length], big, heads, kvHeads, headDim);

            for (int n : new int[] {37, 64, 5}) {
                float[] q = BackendAgreementTest.gaussian(rnd, n * heads * headDim);
                float[] k = BackendAgreementTest.gaussian(rnd, n * kvHeads * headDim);
                float[] v = BackendAgreementTest.gaussian(rnd, n * kvHeads * headDim);
                float[] want = new float[q.length], got = new float[q.length];
                fresh.attentionPrefill(q, k, v, want, n, heads, kvHeads, headDim);
                reused.attentionPrefill(q, k, v, got, n, heads, kvHeads, headDim);
                assertArrayEquals(want, got, "n=" + n + " after a prefill of " + big + " tokens");
            }
        }
    }
}
