package dev.windowkv.engine.backend;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The vector backend's causal prefill attention against the scalar reference, over the shapes its
 * register tiles and work items split differently: head dimensions of whole tiles (64, 128), of single
 * vectors and a masked tail (36, 72); GQA groups of 1, 2, 4 and 8 query heads per KV head (a work
 * item's row tiles then mix tokens, or not); prompt lengths that end inside a key block and inside a
 * work item; and chunks at positions {@code pos0 > 0}, whose rows must be those of the whole prefill.
 */
class VectorAttentionTest {
    private static final Backend REFERENCE = new ScalarBackend();
    private static final Backend VECTOR = new VectorBackend(2);

    @AfterAll
    static void close() {
        REFERENCE.close();
        VECTOR.close();
    }

    static Stream<Arguments> shapes() {
        List<Arguments> cases = new ArrayList<>();
        int[][] heads = {{4, 4}, {4, 2}, {8, 2}, {8, 1}};
        for (int headDim : new int[] {36, 64, 72, 128}) {
            for (int[] h : heads) {
                for (int n : new int[] {1, 3, 70, 131}) cases.add(Arguments.of(headDim, h[0], h[1], n));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "headDim {0}, {1} heads over {2}, {3} tokens")
    @MethodSource("shapes")
    void wholePrefillMatchesTheReference(int headDim, int heads, int kvHeads, int n) {
        SplittableRandom rnd = new SplittableRandom(headDim * 1000L + heads * 100L + kvHeads * 10L + n);
        float[][] qkv = inputs(rnd, n, heads, kvHeads, headDim);
        float[] ref = new float[n * heads * headDim], got = new float[ref.length];
        REFERENCE.attentionPrefill(qkv[0], qkv[1], qkv[2], ref, n, heads, kvHeads, headDim);
        VECTOR.attentionPrefill(qkv[0], qkv[1], qkv[2], got, n, heads, kvHeads, headDim);
        assertClose(ref, got, "whole prefill");
    }

    @ParameterizedTest(name = "headDim {0}, {1} heads over {2}, {3} tokens")
    @MethodSource("shapes")
    void chunksAreTheRowsOfTheWholeReferencePrefill(int headDim, int heads, int kvHeads, int n) {
        SplittableRandom rnd = new SplittableRandom(headDim * 1000L + heads * 100L + kvHeads * 10L + n + 7);
        float[][] qkv = inputs(rnd, n, heads, kvHeads, headDim);
        float[] ref = new float[n * heads * headDim];
        REFERENCE.attentionPrefill(qkv[0], qkv[1], qkv[2], ref, n, heads, kvHeads, headDim);
        int row = heads * headDim;
        // Chunks of 37 and 29 tokens: neither a whole key block nor a whole work item.
        int chunk = n % 2 == 0 ? 37 : 29;
        for (int pos0 = 0; pos0 < n; pos0 += chunk) {
            int m = Math.min(chunk, n - pos0);
            float[] qc = Arrays.copyOfRange(qkv[0], pos0 * row, (pos0 + m) * row);
            float[] kc = Arrays.copyOf(qkv[1], (pos0 + m) * kvHeads * headDim);
            float[] vc = Arrays.copyOf(qkv[2], (pos0 + m) * kvHeads * headDim);
            float[] out = new float[m * row];
            VECTOR.attentionPrefill(qc, kc, vc, out, m, pos0, heads, kvHeads, headDim);
            assertClose(Arrays.copyOfRange(ref, pos0 * row, (pos0 + m) * row), out, "chunk at " + pos0);
        }
    }

    /** Queries grow sharper with the position, so the running max moves between key blocks. */
    private static float[][] inputs(SplittableRandom rnd, int n, int heads, int kvHeads, int headDim) {
        float[] q = BackendAgreementTest.gaussian(rnd, n * heads * headDim);
        for (int i = 0; i < q.length; i++) q[i] *= 1 + (i / (heads * headDim)) % 7;
        return new float[][] {q, BackendAgreementTest.gaussian(rnd, n * kvHeads * headDim),
                BackendAgreementTest.gaussian(rnd, n * kvHeads * headDim)};
    }

    /** Within BackendAgreementTest's tolerance for the other ops: 1e-5 of the largest output. */
    private static void assertClose(float[] ref, float[] got, String what) {
        float max = 0;
        for (float r : ref) max = Math.max(max, Math.abs(r));
        assertTrue(max > 0, what + ": the reference output is all zeros, so the test would prove nothing");
        for (int i = 0; i < ref.length; i++) {
            assertEquals(ref[i], got[i], BackendAgreementTest.OP_REL * max, what + " at " + i);
        }
    }
}
