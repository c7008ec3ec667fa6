package dev.windowkv.engine.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.windowkv.engine.backend.simd.Q4_0Repacked;
import dev.windowkv.engine.backend.simd.Q8_0Repacked;
import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.engine.gguf.Quantize;
import dev.windowkv.engine.model.Weight;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The vector backend's Q4_0 and Q8_0 products over weights wide enough to repack (two groups and a
 * GGUF tail), on every path: decode for one and two tokens (Q4_0 on int8 activations, Q8_0 on permuted
 * f32 ones), the permuted f32 tiles for a few, the packed GEMM for a prefill block. Against the scalar
 * reference: f32 sums reordered ({@link BackendAgreementTest#DOT_REL}), plus, where activations are
 * quantized, their rounding (at most half a block's step d_x = max|x| / 127 per value).
 */
class RepackedMatmulTest {
    private static final Backend REFERENCE = new ScalarBackend();
    private static final Backend VECTOR = Backends.create("vector", 2);

    @AfterAll
    static void close() {
        REFERENCE.close();
        VECTOR.close();
    }

    private static int group(GGMLType t) {
        return t == GGMLType.Q4_0 ? Q4_0Repacked.GROUP : Q8_0Repacked.GROUP;
    }

    @ParameterizedTest(name = "{0} x{1} tokens")
    @CsvSource({"Q4_0, 1", "Q4_0, 2", "Q4_0, 5", "Q4_0, 70", "Q8_0, 1", "Q8_0, 2", "Q8_0, 5", "Q8_0, 70"})
    void agreesWithTheReference(GGMLType type, int nTokens) {
        SplittableRandom rnd = new SplittableRandom(40 + nTokens + type.id);
        int rows = 67, cols = 2 * group(type) + 96;
        Weight w = BackendAgreementTest.weight(type, rows, cols, rnd);
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
        boolean quantized = nTokens < 3 && w.type() == GGMLType.Q4_0;
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
    @ParameterizedTest
    @EnumSource(names = {"Q4_0", "Q8_0"})
    void copiesOfAClosedModelAreFreed(GGMLType type) {
        SplittableRandom rnd = new SplittableRandom(9);
        int rows = 8, cols = group(type);
        float[] x = BackendAgreementTest.gaussian(rnd, cols);
        float[] out = new float[rows];
        try (VectorBackend b = new VectorBackend(2)) {
            Arena first = Arena.ofShared();
            Weight w1 = weightIn(first, type, rows, cols, rnd);
            b.matmul(w1, x, 1, out);
            assertEquals(w1.bytes(), b.repackedBytes());
            first.close();
            try (Arena second = Arena.ofShared()) {
                Weight w2 = weightIn(second, type, 2 * rows, cols, rnd);
                b.matmul(w2, x, 1, new float[2 * rows]);
                assertEquals(w2.bytes(), b.repackedBytes(), "only the open model's copy is kept");
            }
        }
    }

    private static Weight weightIn(Arena arena, GGMLType type, int rows, int cols, SplittableRandom rnd) {
        byte[] bytes = Quantize.quantize(type, BackendAgreementTest.gaussian(rnd, rows * cols));
        MemorySegment seg = arena.allocate(bytes.length, 64);
        MemorySegment.copy(bytes, 0, seg, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return new Weight("w", type, seg, rows, cols, type.byteSize(cols));
    }
}
