package dev.windowkv.engine.backend.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.kernels.Half;
import dev.windowkv.kernels.quant.Q8_0;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The repacked Q8_0 layout against the scalar reference on random valid blocks: dequantizing is the
 * reference's values, only in storage order; the dot of a row with the activations in that order is
 * the reference dot to f32 summation error, and each of dot4's rows is its own dot, bit for bit.
 */
class Q8_0RepackedTest {
    private static final GGMLType T = GGMLType.Q8_0;

    /** Whole groups, and whole groups plus a GGUF tail of three blocks. */
    static int[] widths() {
        return new int[] {Q8_0Repacked.GROUP, 2 * Q8_0Repacked.GROUP + 3 * Q8_0.BLOCK_SIZE};
    }

    private static MemorySegment repacked(byte[] w, int rows, int cols, Arena arena) {
        MemorySegment src = SimdMatmulTest.offHeap(w, arena).asSlice(SimdMatmulTest.PAD, w.length);
        MemorySegment dst = arena.allocate(w.length, 64);
        assertTrue(Q8_0Repacked.repack(src, dst, 0, rows, cols, T.byteSize(cols)));
        return dst;
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void dequantizeIsTheReferenceInStorageOrder(int width) {
        int cols = widths()[width], rows = 3;
        SplittableRandom rnd = new SplittableRandom(17 + width);
        byte[] w = RandomBlocks.rows(T, rows, cols, rnd);
        int[] columns = Q8_0Repacked.columns(cols);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = repacked(w, rows, cols, arena);
            for (int r = 0; r < rows; r++) {
                float[] expected = inStorageOrder(w, r, cols, columns);
                float[] whole = new float[cols];
                Q8_0Repacked.dequantize(seg, r * T.byteSize(cols), cols, 0, whole, 0, cols);
                assertArrayEquals(expected, whole, "row " + r);
                // As PackedGemm asks for it: K segments of 256.
                float[] segments = new float[cols];
                for (int k0 = 0; k0 < cols; k0 += 256) {
                    Q8_0Repacked.dequantize(seg, r * T.byteSize(cols), cols, k0, segments, k0, Math.min(256, cols - k0));
                }
                assertArrayEquals(expected, segments, "row " + r + " in K segments");
            }
        }
    }

    /** The documented layout, checked on its own: within a group, position i·G + j is weight i of block j. */
    @Test
    void columnsFollowTheDocumentedLayout() {
        int cols = widths()[1], g = Q8_0Repacked.G;
        int[] columns = Q8_0Repacked.columns(cols);
        boolean[] seen = new boolean[cols];
        for (int k = 0; k < cols; k++) {
            int c = columns[k];
            assertFalse(seen[c], "column " + c + " twice");
            seen[c] = true;
            if (k < 2 * Q8_0Repacked.GROUP) {
                int group = k / Q8_0Repacked.GROUP, in = k % Q8_0Repacked.GROUP;
                assertEquals(group * Q8_0Repacked.GROUP + (in % g) * Q8_0.BLOCK_SIZE + in / g, c, "position " + k);
            } else {
                assertEquals(k, c, "tail position " + k);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void dotIsTheReferenceDot(int width) {
        int cols = widths()[width], rows = 8;
        SplittableRandom rnd = new SplittableRandom(21 + width);
        byte[] w = RandomBlocks.rows(T, rows, cols, rnd);
        check(w, rows, cols, RandomBlocks.activations(cols, rnd));
    }

    /** Subnormal, zero and negative scales go through the vector f16 conversion too. */
    @Test
    void subnormalAndZeroScales() {
        int cols = widths()[1], rows = 4;
        SplittableRandom rnd = new SplittableRandom(13);
        byte[] w = RandomBlocks.rows(T, rows, cols, rnd);
        short[] special = {0, (short) 0x8000, 1, (short) 0x83FF, 0x0200, Half.f32ToF16(-0.25f)};
        for (int b = 0; b < rows * cols / Q8_0.BLOCK_SIZE; b++) {
            short d = special[b % special.length];
            w[b * Q8_0.TYPE_SIZE] = (byte) d;
            w[b * Q8_0.TYPE_SIZE + 1] = (byte) (d >> 8);
        }
        // Subnormal scales make tiny products: large activations keep them above the f32 noise floor.
        float[] x = RandomBlocks.activations(cols, rnd);
        for (int i = 0; i < cols; i++) x[i] *= 1e4f;
        check(w, rows, cols, x);
    }

    @Test
    void infiniteOrNaNScalesAreRefused() {
        int cols = Q8_0Repacked.GROUP;
        for (int high : new int[] {0x7C, 0xFE}) { // +inf, a negative NaN
            byte[] w = RandomBlocks.rows(T, 1, cols, new SplittableRandom(5));
            w[5 * Q8_0.TYPE_SIZE] = 1;
            w[5 * Q8_0.TYPE_SIZE + 1] = (byte) high;
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment src = arena.allocate(w.length);
                MemorySegment.copy(w, 0, src, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, w.length);
                assertFalse(Q8_0Repacked.repack(src, arena.allocate(w.length), 0, 1, cols, T.byteSize(cols)));
            }
        }
    }

    private static float[] inStorageOrder(byte[] w, int r, int cols, int[] columns) {
        float[] ref = new float[cols];
        RandomBlocks.scalarDequantizeRow(T, w, (int) (r * T.byteSize(cols)), ref, 0, cols);
        float[] expected = new float[cols];
        for (int k = 0; k < cols; k++) expected[k] = ref[columns[k]];
        return expected;
    }

    /**
     * Each row's dot (x in storage order) against the double sum of the reference row with x, and dot4
     * over rows a quarter apart (far-apart streams, as decode runs them) against those dots, bit for bit.
     */
    private static void check(byte[] w, int rows, int cols, float[] x) {
        int[] columns = Q8_0Repacked.columns(cols);
        float[] xp = new float[cols + 3];
        for (int k = 0; k < cols; k++) xp[3 + k] = x[columns[k]];
        long rowBytes = T.byteSize(cols);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = repacked(w, rows, cols, arena);
            float[] dots = new float[rows];
            for (int r = 0; r < rows; r++) {
                float[] row = new float[cols];
                RandomBlocks.scalarDequantizeRow(T, w, (int) (r * rowBytes), row, 0, cols);
                dots[r] = Q8_0Repacked.dot(seg, r * rowBytes, cols, xp, 3);
                double[] e = SimdMatmulTest.exact(row, x, 0);
                assertEquals(e[0], dots[r], e[1], "row " + r);
            }
            float[] four = new float[rows + 1];
            int quarter = rows / 4;
            for (int r = 0; r < quarter; r++) {
                Q8_0Repacked.dot4(seg, r * rowBytes, quarter * rowBytes, cols, xp, 3, four, 1 + r, quarter);
            }
            for (int r = 0; r < rows; r++) assertEquals(dots[r], four[1 + r], "dot4's row " + r);
        }
    }
}
