package dev.windowkv.engine.backend.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.kernels.Half;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * The SIMD kernels against the scalar reference in tornado-kernels, on random valid blocks.
 *
 * <p>Tolerances: dequantizeRow is bit-identical. Every dot product (scalar reference, SIMD dot,
 * SIMD matmul) is within {@value #REL} × Σ|w_i·x_i| of the exact (double) Σ w_i·x_i over the
 * dequantized row; only the f32 summation order differs.
 */
class SimdMatmulTest {
    static final double REL = 1e-5;
    /** Weights sit at an odd offset in native memory, as tensors in a mapped GGUF file may. */
    static final int PAD = 5;


    static MemorySegment offHeap(byte[] w, Arena arena) {
        MemorySegment s = arena.allocate(w.length + 2L * PAD);
        MemorySegment.copy(w, 0, s, ValueLayout.JAVA_BYTE, PAD, w.length);
        return s;
    }

    /** Exact dot of the reference-dequantized row and the bound it is held to. */
    static double[] exact(float[] row, float[] x, int xOff) {
        double sum = 0, abs = 0;
        for (int i = 0; i < row.length; i++) {
            sum += (double) row[i] * x[xOff + i];
            abs += Math.abs((double) row[i] * x[xOff + i]);
        }
        return new double[] {sum, REL * abs + 1e-30};
    }

    static int[] sizes(GGMLType t) {
        return t.blockSize == 1 ? new int[] {1, 15, 37, 256, 1000} : new int[] {t.blockSize, 3 * t.blockSize, 4096};
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q5_K", "Q6_K"})
    void dequantizeRowIsBitIdenticalAndDotsAgree(GGMLType t) {
        SplittableRandom rnd = new SplittableRandom(t.id);
        try (Arena arena = Arena.ofConfined()) {
            for (int n : sizes(t)) {
                int rows = 4;
                byte[] w = RandomBlocks.rows(t, rows, n, rnd);
                MemorySegment seg = offHeap(w, arena);
                long rowBytes = t.byteSize(n);
                float[] x = RandomBlocks.activations(n + 3, rnd);
                for (int r = 0; r < rows; r++) {
                    int off = (int) (r * rowBytes);
                    float[] ref = new float[n];
                    RandomBlocks.scalarDequantizeRow(t, w, off, ref, 0, n);
                    float[] simd = new float[n + 2];
                    SimdMatmul.dequantizeRow(t, seg, PAD + off, simd, 2, n);
                    for (int i = 0; i < n; i++) {
                        assertEquals(Float.floatToRawIntBits(ref[i]), Float.floatToRawIntBits(simd[2 + i]), t + " n=" + n + " value " + i);
                    }
                    double[] e = exact(ref, x, 3);
                    float scalar = RandomBlocks.scalarDot(t, w, off, x, 3, n);
                    float vec = SimdMatmul.dot(t, seg, PAD + off, x, 3, n);
                    assertEquals(e[0], scalar, e[1], t + " scalar dot, n=" + n);
                    assertEquals(e[0], vec, e[1], t + " SIMD dot, n=" + n);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q5_K", "Q6_K"})
    void matmulAgreesForOddTokenCountsAndRowRanges(GGMLType t) {
        SplittableRandom rnd = new SplittableRandom(100 + t.id);
        int n = t.blockSize == 1 ? 37 : 2 * t.blockSize;
        int rows = 9, outStride = 11;
        try (Arena arena = Arena.ofConfined()) {
            byte[] w = RandomBlocks.rows(t, rows, n, rnd);
            MemorySegment seg = offHeap(w, arena);
            long rowBytes = t.byteSize(n);
            MemorySegment shifted = seg.asSlice(PAD);
            for (int nTokens : new int[] {1, 2, 3, 5, 7}) {
                for (int[] range : new int[][] {{0, 9}, {1, 8}, {4, 5}, {2, 9}}) {
                    check(t, w, shifted, rowBytes, range[0], range[1], n, nTokens, outStride, rnd);
                }
            }
        }
    }

    /**
     * The decode path reads Q8_0 rows in fours (one from each quarter of the range); each row's
     * result must be the single-row dot bit for bit, so results do not depend on how rows are split
     * across threads.
     */
    @Test
    void dotRowsIsDotBitForBit() {
        SplittableRandom rnd = new SplittableRandom(11);
        int n = 256, rows = 37;
        for (GGMLType t : new GGMLType[] {GGMLType.Q8_0, GGMLType.Q4_0, GGMLType.Q6_K}) {
            try (Arena arena = Arena.ofConfined()) {
                byte[] w = RandomBlocks.rows(t, rows, n, rnd);
                MemorySegment seg = offHeap(w, arena).asSlice(PAD);
                long rowBytes = t.byteSize(n);
                float[] x = RandomBlocks.activations(2 * n, rnd);
                float[] out = new float[n + rows];
                Arrays.fill(out, Float.NaN);
                SimdMatmul.dotRows(t, seg, rowBytes, 2, rows, x, n, n, out, n);
                for (int r = 0; r < rows; r++) {
                    float want = r < 2 ? Float.NaN : SimdMatmul.dot(t, seg, r * rowBytes, x, n, n);
                    assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(out[n + r]), t + " row " + r);
                }
            }
        }
    }

    /**
     * The same once C2 has compiled the kernels (a cold test runs them interpreted, where no
     * instruction is reordered): the four-row kernel and the single-row one are compiled separately, and
     * must still round alike. Rows of Llama-3.2-1B's width, against the exact sum as well.
     */
    @Test
    void dotRowsIsDotBitForBitWhenCompiled() {
        SplittableRandom rnd = new SplittableRandom(12);
        int n = 2048, rows = 33;
        for (GGMLType t : new GGMLType[] {GGMLType.Q8_0, GGMLType.Q4_0}) {
            try (Arena arena = Arena.ofConfined()) {
                byte[] w = RandomBlocks.rows(t, rows, n, rnd);
                MemorySegment seg = offHeap(w, arena).asSlice(PAD);
                long rowBytes = t.byteSize(n);
                float[] x = RandomBlocks.activations(n, rnd);
                float[] pairs = new float[rows], single = new float[rows];
                // At least 400 calls, then on until the JIT has compiled nothing for 200 calls in a row:
                // a kernel C2 has not finished compiling yet runs in another tier, which rounds its lane
                // reductions differently (a busy machine delayed the compile past a fixed count).
                var jit = java.lang.management.ManagementFactory.getCompilationMXBean();
                long compiled = -1;
                for (int rep = 0, quiet = 0; rep < 400 || (quiet < 200 && rep < 40_000); rep++) {
                    SimdMatmul.dotRows(t, seg, rowBytes, 0, rows, x, 0, n, pairs, 0);
                    for (int r = 0; r < rows; r++) single[r] = SimdMatmul.dot(t, seg, r * rowBytes, x, 0, n);
                    long now = jit.getTotalCompilationTime();
                    quiet = now == compiled ? quiet + 1 : 0;
                    compiled = now;
                }
                float[] ref = new float[n];
                for (int r = 0; r < rows; r++) {
                    assertEquals(Float.floatToIntBits(single[r]), Float.floatToIntBits(pairs[r]), t + " row " + r);
                    RandomBlocks.scalarDequantizeRow(t, w, (int) (r * rowBytes), ref, 0, n);
                    double[] e = exact(ref, x, 0);
                    assertEquals(e[0], pairs[r], e[1], t + " row " + r + " against the exact sum");
                }
            }
        }
    }

    /** Enough rows of a long row to span several dequantized chunks. */
    @Test
    void matmulAcrossChunks() {
        SplittableRandom rnd = new SplittableRandom(7);
        GGMLType t = GGMLType.Q4_K;
        int n = 4096, rows = 40;
        try (Arena arena = Arena.ofConfined()) {
            byte[] w = RandomBlocks.rows(t, rows, n, rnd);
            MemorySegment seg = offHeap(w, arena).asSlice(PAD);
            assertTrue(rows - 6 > SimdMatmul.CHUNK_FLOATS / n * 2);
            check(t, w, seg, t.byteSize(n), 3, rows - 3, n, 6, rows + 1, rnd);
        }
    }

    private static void check(GGMLType t, byte[] w, MemorySegment seg, long rowBytes, int rowStart, int rowEnd,
                              int n, int nTokens, int outStride, SplittableRandom rnd) {
        float[] x = RandomBlocks.activations(nTokens * n, rnd);
        float[] out = new float[nTokens * outStride];
        Arrays.fill(out, Float.NaN);
        SimdMatmul.matmul(t, seg, rowBytes, rowStart, rowEnd, x, 0, nTokens, n, out, outStride);
        float[] ref = new float[n];
        for (int tok = 0; tok < nTokens; tok++) {
            for (int r = 0; r < outStride; r++) {
                String where = t + " tokens=" + nTokens + " rows [" + rowStart + "," + rowEnd + ") tok " + tok + " row " + r;
                if (r < rowStart || r >= rowEnd) {
                    assertTrue(Float.isNaN(out[tok * outStride + r]), where + " written outside its range");
                    continue;
                }
                RandomBlocks.scalarDequantizeRow(t, w, (int) (r * rowBytes), ref, 0, n);
                double[] e = exact(ref, x, tok * n);
                assertEquals(e[0], out[tok * outStride + r], e[1], where);
            }
        }
    }

    @Test
    void f16LoadDecodesEveryPatternLikeHalf() {
        byte[] w = new byte[2 * 65536];
        for (int h = 0; h < 65536; h++) {
            w[2 * h] = (byte) h;
            w[2 * h + 1] = (byte) (h >> 8);
        }
        float[] out = new float[65536];
        SimdMatmul.dequantizeRow(GGMLType.F16, MemorySegment.ofArray(w), 0, out, 0, 65536);
        for (int h = 0; h < 65536; h++) {
            if (Float.isNaN(Half.f16ToF32(h))) {
                // Half (device-compilable, no bit casts) keeps NaN but not its payload.
                assertTrue(Float.isNaN(out[h]), "pattern " + h);
            } else {
                assertEquals(Float.floatToRawIntBits(Half.f16ToF32(h)), Float.floatToRawIntBits(out[h]), "pattern " + h);
            }
        }
    }
}
