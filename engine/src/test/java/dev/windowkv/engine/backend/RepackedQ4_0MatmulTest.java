package dev.windowkv.engine.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.windowkv.engine.backend.simd.Q4_0Repacked;
import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.engine.gguf.Quantize;
import dev.windowkv.engine.model.Weight;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The vector backend's Q4_0 products over weights wide enough to repack (two groups and a GGUF tail),
 * on every path: int8 activations for one and two tokens, the permuted f32 tiles for a few, the packed
 * GEMM for a prefill block. Against the scalar reference: f32 sums reordered ({@link
 * BackendAgreementTest#DOT_REL}), plus, where activations are quantized, their rounding (at most half
 * a block's step d_x = max|x| / 127 per value).
 */
class RepackedQ4_0MatmulTest {
    private static final Backend REFERENCE = new ScalarBackend();
    private static final Backend VECTOR = Backends.create("vector", 2);

    @AfterAll
    static void close() {
        REFERENCE.close();
        VECTOR.close();
    }

    @ParameterizedTest(name = "x{0} tokens")
    @ValueSource(ints = {1, 2, 5, 70})
    void agreesWithTheReference(int nTokens) {
        SplittableRandom rnd = new SplittableRandom(40 + nTokens);
        int rows = 67, cols = 2 * Q4_0Repacked.GROUP + 96;
        Weight w = BackendAgreementTest.weight(GGMLType.Q4_0, rows, cols, rnd);
        float[] x = BackendAgreementTest.gaussian(rnd, nTokens * cols);
        float[] ref = new float[nTokens * rows];
        REFERENCE.matmul(w, x, nTokens, ref);
        // The first call repacks, the second finds the copy.
        for (int call = 1; call <= 2; call++) {
            float[] got = new float[nTokens * rows];
            VECTOR.matmul(w, x, nTokens, got);
            check(w, x, nTokens, ref, got, "call " + call);
        }
        // Rows of the repacked weight (a tied embedding) come back in column order, bit for bit.
        for (int r : new int[] {0, 33, rows - 1}) {
            float[] expected = new float[cols + 2], row = new float[cols + 2];
            REFERENCE.embedding(w, r, expected, 2);
            VECTOR.embedding(w, r, row, 2);
            assertEquals(0, java.util.Arrays.compare(expected, row), "embedding row " + r);
        }
    }

    private static void check(Weight w, float[] x, int nTokens, float[] ref, float[] got, String where) {
        int rows = w.rows(), cols = w.cols();
        boolean quantized = nTokens < 3;
        float[] row = new float[cols];
        for (int r = 0; r < rows; r++) {
            REFERENCE.embedding(w, r, row, 0);
            for (int t = 0; t < nTokens; t++) {
                double abs = 0, rounding = 0;
                for (int b = 0; b < cols / 32; b++) {
                    double amax = 0, wabs = 0;
                    for (int i = b * 32; i < b * 32 + 32; i++) {
                        abs += Math.abs(row[i] * x[t * cols + i]);
                        amax = Math.max(amax, Math.abs(x[t * cols + i]));
                        wabs += Math.abs(row[i]);
                    }
                    rounding += amax / 127 / 2 * wabs * 1.0001;
                }
                int o = t * rows + r;
                assertEquals(ref[o], got[o], BackendAgreementTest.DOT_REL * abs + (quantized ? rounding : 0),
                        where + ", row " + r + " token " + t);
            }
        }
    }

    /** A sweep moves from model to model on one backend: a closed model's copies must not pile up. */
    @Test
    void copiesOfAClosedModelAreFreed() {
        SplittableRandom rnd = new SplittableRandom(9);
        int rows = 8, cols = Q4_0Repacked.GROUP;
        float[] x = BackendAgreementTest.gaussian(rnd, cols);
        float[] out = new float[rows];
        try (VectorBackend b = new VectorBackend(2)) {
            Arena first = Arena.ofShared();
            Weight w1 = weightIn(first, rows, cols, rnd);
            b.matmul(w1, x, 1, out);
            assertEquals(w1.bytes(), b.repackedBytes());
            first.close();
            try (Arena second = Arena.ofShared()) {
                Weight w2 = weightIn(second, 2 * rows, cols, rnd);
                b.matmul(w2, x, 1, new float[2 * rows]);
                assertEquals(w2.bytes(), b.repackedBytes(), "only the open model's copy is kept");
            }
        }
    }

    private static Weight weightIn(Arena arena, int rows, int cols, SplittableRandom rnd) {
        byte[] bytes = Quantize.quantize(GGMLType.Q4_0, BackendAgreementTest.gaussian(rnd, rows * cols));
        MemorySegment seg = arena.allocate(bytes.length, 64);
        MemorySegment.copy(bytes, 0, seg, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return new Weight("w", GGMLType.Q4_0, seg, rows, cols, GGMLType.Q4_0.byteSize(cols));
    }
}
