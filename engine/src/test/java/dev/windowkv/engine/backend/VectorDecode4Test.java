package dev.windowkv.engine.backend;

import dev.windowkv.kernels.Attention;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The vector backend's decode attention for four query heads of one KV head at once
 * ({@code VectorAttention.decode4}) against the scalar reference per head, over a cache layer laid out
 * {@code [kvHead][capacity][headDim]} off the heap: lengths inside the first block of keys, on its
 * edge and past it (the online softmax's rescale), sharp and flat queries, the second KV head's
 * slots (the base offset), and head sizes of one and two chunks of four vectors.
 */
class VectorDecode4Test {
    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (int headDim : new int[] {64, 128}) {
            for (int length : new int[] {1, 5, 63, 64, 65, 130, 300}) {
                for (double sigma : new double[] {1, 40}) cases.add(Arguments.of(headDim, length, sigma));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "headDim {0}, {1} keys, queries σ {2}")
    @MethodSource("cases")
    void fourHeadsAtOnceAreEachHeadsOwnDecode(int headDim, int length, double sigma) {
        assumeTrue(VectorAttention.decodes4(headDim), "this machine's vectors do not tile headDim " + headDim);
        int kvHeads = 2, heads = 8, capacity = length + 7;
        SplittableRandom rnd = new SplittableRandom(31L * length + headDim);
        float[] k = BackendAgreementTest.gaussian(rnd, kvHeads * capacity * headDim);
        float[] v = BackendAgreementTest.gaussian(rnd, kvHeads * capacity * headDim);
        float[] q = BackendAgreementTest.gaussian(rnd, heads * headDim);
        for (int i = 0; i < q.length; i++) q[i] *= (float) sigma * (1 + (i / headDim) % 3) / 3;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        float[] ref = new float[heads * headDim], got = new float[heads * headDim];
        for (int h = 0; h < heads; h++) {
            Attention.decode(q, h * headDim, k, v, capacity, length, h / 4, headDim, ref, h * headDim, scale);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ks = arena.allocate((long) k.length * Float.BYTES, 64), vs = arena.allocate((long) v.length * Float.BYTES, 64);
            MemorySegment.copy(k, 0, ks, ValueLayout.JAVA_FLOAT, 0, k.length);
            MemorySegment.copy(v, 0, vs, ValueLayout.JAVA_FLOAT, 0, v.length);
            for (int kvh = 0; kvh < kvHeads; kvh++) {
                VectorAttention.decode4(q, 4 * kvh, ks, vs, capacity, length, kvh, headDim, got, scale);
            }
        }
        // A score's rounding (the lanes' tree against the reference's sequential sum) grows with the
        // query's scale, and the softmax passes it on: the tolerance grows with σ. A dropped rescale or
        // a wrong head's cache is off by the output's own size.
        double tolerance = BackendAgreementTest.OP_REL * sigma;
        for (int h = 0; h < heads; h++) {
            float max = 0;
            for (int d = 0; d < headDim; d++) max = Math.max(max, Math.abs(ref[h * headDim + d]));
            assertTrue(max > 0, "head " + h + ": the reference output is all zeros, so the test would prove nothing");
            for (int d = 0; d < headDim; d++) {
                int i = h * headDim + d;
                assertEquals(ref[i], got[i], tolerance * max, "head " + h + " dim " + d);
            }
        }
    }
}
