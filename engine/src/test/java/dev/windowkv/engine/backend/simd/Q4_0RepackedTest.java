package dev.windowkv.engine.backend.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.kernels.Half;
import dev.windowkv.kernels.quant.Q4_0;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The repacked Q4_0 layout against the scalar reference on random valid blocks: dequantizing is the
 * reference's values, only in storage order; the int8-activation dot is the exact dot of the
 * reference row with the activations as quantize rounded them, to f32 summation error, and each of
 * dot4's rows is its own dot, bit for bit.
 */
class Q4_0RepackedTest {
    private static final GGMLType T = GGMLType.Q4_0;

    /** Whole groups, and whole groups plus a GGUF tail of three blocks. */
    static int[] widths() {
        return new int[] {Q4_0Repacked.GROUP, 2 * Q4_0Repacked.GROUP + 3 * Q4_0.BLOCK_SIZE};
    }

    private static MemorySegment repacked(byte[] w, int rows, int cols, Arena arena) {
        MemorySegment src = SimdMatmulTest.offHeap(w, arena).asSlice(SimdMatmulTest.PAD, w.length);
        MemorySegment dst = arena.allocate(w.length, 64);
        assertTrue(Q4_0Repacked.repack(src, dst, 0, rows, cols, T.byteSize(cols)));
        return dst;
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void dequantizeIsTheReferenceInStorageOrder(int width) {
        int cols = widths()[width], rows = 3;
        SplittableRandom rnd = new SplittableRandom(7 + width);
        byte[] w = RandomBlocks.rows(T, rows, cols, rnd);
        int[] columns = Q4_0Repacked.columns(cols);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = repacked(w, rows, cols, arena);
            for (int r = 0; r < rows; r++) {
                float[] ref = new float[cols];
                RandomBlocks.scalarDequantizeRow(T, w, (int) (r * T.byteSize(cols)), ref, 0, cols);
                float[] expected = new float[cols];
                for (int k = 0; k < cols; k++) expected[k] = ref[columns[k]];
                float[] whole = new float[cols];
                Q4_0Repacked.dequantize(seg, r * T.byteSize(cols), cols, 0, whole, 0, cols);
                assertArrayEquals(expected, whole, "row " + r);
                // As PackedGemm asks for it: K segments of 256.
                float[] segments = new float[cols];
                for (int k0 = 0; k0 < cols; k0 += 256) {
                    Q4_0Repacked.dequantize(seg, r * T.byteSize(cols), cols, k0, segments, k0, Math.min(256, cols - k0));
                }
                assertArrayEquals(expected, segments, "row " + r + " in K segments");
            }
        }
    }

    @Test
    void columnsIsAPermutation() {
        int cols = widths()[1];
        boolean[] seen = new boolean[cols];
        for (int c : Q4_0Repacked.columns(cols)) {
            assertFalse(seen[c], "column " + c + " twice");
            seen[c] = true;
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void dotIsTheExactDotOfTheQuantizedActivations(int width) {
        int cols = widths()[width], rows = 4;
        SplittableRandom rnd = new SplittableRandom(11 + width);
        byte[] w = RandomBlocks.rows(T, rows, cols, rnd);
        float[] x = RandomBlocks.activations(cols + 3, rnd);
        int xOff = 3;
        check(w, rows, cols, x, xOff);
    }

    /** Subnormal, zero and negative scales go through the vector f16 conversion too. */
    @Test
    void subnormalAndZeroScales() {
        int cols = widths()[1], rows = 4;
        SplittableRandom rnd = new SplittableRandom(3);
        byte[] w = RandomBlocks.rows(T, rows, cols, rnd);
        short[] special = {0, (short) 0x8000, 1, (short) 0x83FF, 0x0200, Half.f32ToF16(-0.25f)};
        for (int b = 0; b < rows * cols / Q4_0.BLOCK_SIZE; b++) {
            short d = special[b % special.length];
            w[b * Q4_0.TYPE_SIZE] = (byte) d;
            w[b * Q4_0.TYPE_SIZE + 1] = (byte) (d >> 8);
        }
        // Subnormal scales make tiny products: large activations keep them above the f32 noise floor.
        float[] x = RandomBlocks.activations(cols, rnd);
        for (int i = 0; i < cols; i++) x[i] *= 1e4f;
        check(w, rows, cols, x, 0);
    }

    @Test
    void infiniteOrNaNScalesAreRefused() {
        int cols = Q4_0Repacked.GROUP;
        byte[] w = RandomBlocks.rows(T, 1, cols, new SplittableRandom(5));
        w[5 * Q4_0.TYPE_SIZE] = 0;
        w[5 * Q4_0.TYPE_SIZE + 1] = (byte) 0x7C; // +inf
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = arena.allocate(w.length);
            MemorySegment.copy(w, 0, src, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, w.length);
            assertFalse(Q4_0Repacked.repack(src, arena.allocate(w.length), 0, 1, cols, T.byteSize(cols)));
        }
    }

    /**
     * The rows' repacked dots against double sums of the reference rows with x as quantize rounds it
     * (tail columns keep f32 x); and, looser, against the f32 activations: the rounding of x moves a
     * block's sum by at most d_x / 2 · Σ|w|.
     */
    private static void check(byte[] w, int rows, int cols, float[] x, int xOff) {
        int q = Q4_0Repacked.quantizedSize(cols), nb = Q4_0Repacked.blocks(cols);
        short[] xq = new short[q + 5];
        float[] dx = new float[nb + 2];
        int[] sx8 = new int[nb + 2];
        Q4_0Repacked.quantize(x, xOff, cols, xq, 5, dx, sx8, 2);
        // The documented decode layout: within a group, xq[(4s + c)·G + j] is weight 2s + 16·(c & 1) + (c >> 1)
        // of block j, and block j's d and offset sit at (j % 2)·L + j / 2 (L = G / 2).
        int g = Q4_0Repacked.G, l = g / 2;
        float[] xr = x.clone();
        float[] d = new float[nb];
        int[] offsets = new int[nb];
        for (int b = 0; b < nb; b++) {
            int j = b % g, at = 2 + b - j + (j % 2) * l + j / 2;
            d[b] = dx[at];
            offsets[b] = sx8[at];
        }
        int[] sums = new int[nb];
        for (int k = 0; k < q; k++) {
            int in = k % Q4_0Repacked.GROUP, j = in % g, m = in / g, s = m / 4, c = m % 4;
            int b = k / Q4_0Repacked.GROUP * g + j;
            xr[xOff + b * Q4_0.BLOCK_SIZE + 2 * s + 16 * (c & 1) + (c >> 1)] = xq[5 + k] * d[b];
            sums[b] += xq[5 + k];
        }
        for (int b = 0; b < nb; b++) assertEquals(8 * sums[b], offsets[b], "block " + b + "'s offset");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = repacked(w, rows, cols, arena);
            float[] dots = new float[rows];
            for (int r = 0; r < rows; r++) {
                float[] row = new float[cols];
                RandomBlocks.scalarDequantizeRow(T, w, (int) (r * T.byteSize(cols)), row, 0, cols);
                float got = Q4_0Repacked.dot(seg, r * T.byteSize(cols), cols, xq, 5, dx, sx8, 2, x, xOff);
                double[] e = SimdMatmulTest.exact(row, xr, xOff);
                assertEquals(e[0], got, e[1], "row " + r + " against the quantized activations");
                double rounding = 0;
                for (int b = 0; b < nb; b++) {
                    double abs = 0;
                    for (int i = 0; i < Q4_0.BLOCK_SIZE; i++) abs += Math.abs(row[b * Q4_0.BLOCK_SIZE + i]);
                    rounding += d[b] / 2 * abs;
                }
                double[] f = SimdMatmulTest.exact(row, x, xOff);
                assertEquals(f[0], got, f[1] + rounding * 1.0001, "row " + r + " against the f32 activations");
                dots[r] = got;
            }
            // dot4 over rows a quarter apart (far-apart streams, as decode runs them): each its own dot, bit for bit.
            int quarter = rows / 4;
            float[] four = new float[rows + 1];
            for (int r = 0; r < quarter; r++) {
                Q4_0Repacked.dot4(seg, r * T.byteSize(cols), quarter * T.byteSize(cols), cols, xq, 5, dx, sx8, 2, x, xOff,
                        four, 1 + r, quarter);
            }
            for (int r = 0; r < 4 * quarter; r++) assertEquals(dots[r], four[1 + r], "dot4's row " + r);
        }
    }
}
