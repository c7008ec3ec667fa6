package dev.windowkv.engine.backend.simd;

import static dev.windowkv.engine.backend.simd.Lanes.F;
import static dev.windowkv.engine.backend.simd.Lanes.L;

import dev.windowkv.engine.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Weight-times-activation products with the Vector API, reading raw GGUF rows straight from a
 * (memory-mapped) segment. {@link #dot} is the decode path: one row, one token, dequantizing in
 * registers, bound by memory bandwidth. {@link #matmul} serves a few tokens at a time (long prompts
 * go through {@link PackedGemm}): it dequantizes a chunk of rows once into a small f32 buffer and then
 * multiplies it with every token in tiles of 4 rows × 4 tokens, so each weight is decoded once per
 * call instead of once per token.
 *
 * <p>All arithmetic is f32; activations are not quantized.
 */
public final class SimdMatmul {
    private SimdMatmul() {}

    /** Rows dequantized per chunk: about 256 KiB of f32, so a chunk and a token tile stay in L2. */
    static final int CHUNK_FLOATS = 64 * 1024;
    /** Below this many tokens, decoding each row once per token is cheaper than going through the buffer. */
    public static final int MIN_TOKENS_FOR_TILES = 3;
    /** Columns per pass of the prefill tiles: 4 tokens × 2,048 f32 = 32 KiB, an L1 cache. A multiple of every L. */
    static final int K_SEGMENT = 2048;

    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

    /** Row of n values at byte offset wOff dotted with x[xOff, xOff+n). */
    public static float dot(GGMLType t, MemorySegment w, long wOff, float[] x, int xOff, int n) {
        return switch (t) {
            case F32 -> F32Simd.dot(w, wOff, x, xOff, n);
            case F16 -> F16Simd.dot(w, wOff, x, xOff, n);
            case BF16 -> BF16Simd.dot(w, wOff, x, xOff, n);
            case Q8_0 -> Q8_0Simd.dot(w, wOff, x, xOff, n);
            case Q4_0 -> Q4_0Simd.dot(w, wOff, x, xOff, n);
            case Q4_K -> Q4_KSimd.dot(w, wOff, x, xOff, n);
            case Q5_K -> Q5_KSimd.dot(w, wOff, x, xOff, n);
            case Q6_K -> Q6_KSimd.dot(w, wOff, x, xOff, n);
            default -> throw new IllegalArgumentException("no SIMD kernel for " + t);
        };
    }

    /** Row of n values at byte offset wOff as f32 into out[outOff, outOff+n); bit-identical to the scalar reference. */
    public static void dequantizeRow(GGMLType t, MemorySegment w, long wOff, float[] out, int outOff, int n) {
        switch (t) {
            case F32 -> F32Simd.dequantizeRow(w, wOff, out, outOff, n);
            case F16 -> F16Simd.dequantizeRow(w, wOff, out, outOff, n);
            case BF16 -> BF16Simd.dequantizeRow(w, wOff, out, outOff, n);
            case Q8_0 -> Q8_0Simd.dequantizeRow(w, wOff, out, outOff, n);
            case Q4_0 -> Q4_0Simd.dequantizeRow(w, wOff, out, outOff, n);
            case Q4_K -> Q4_KSimd.dequantizeRow(w, wOff, out, outOff, n);
            case Q5_K -> Q5_KSimd.dequantizeRow(w, wOff, out, outOff, n);
            case Q6_K -> Q6_KSimd.dequantizeRow(w, wOff, out, outOff, n);
            default -> throw new IllegalArgumentException("no SIMD kernel for " + t);
        }
    }

    /**
     * out[tok * outStride + r] = row r · x[tok * n, tok * n + n) for r in [rowStart, rowEnd) and tokens
     * tok in [tokStart, tokEnd); row r starts at byte r * rowBytes of w. Callers split the row range
     * across threads, and hand over token blocks whose activations fit in the L2 cache
     * ({@link #tokenBlock}): every 4-row pass over the dequantized chunk reads all its tokens again.
     */
    public static void matmul(GGMLType t, MemorySegment w, long rowBytes, int rowStart, int rowEnd,
                              float[] x, int tokStart, int tokEnd, int n, float[] out, int outStride) {
        if (tokEnd - tokStart < MIN_TOKENS_FOR_TILES) {
            for (int tok = tokStart; tok < tokEnd; tok++) {
                dotRows(t, w, rowBytes, rowStart, rowEnd, x, tok * n, n, out, tok * outStride);
            }
            return;
        }
        tiles(RowDecoder.gguf(t), w, rowBytes, rowStart, rowEnd, x, tokStart, tokEnd, n, out, outStride);
    }

    /** The tile path of {@link #matmul} for any row decoder; x in the decoder's column order. */
    public static void tiles(RowDecoder d, MemorySegment w, long rowBytes, int rowStart, int rowEnd,
                             float[] x, int tokStart, int tokEnd, int n, float[] out, int outStride) {
        int chunk = Math.max(2, CHUNK_FLOATS / n);
        float[] rows = scratch(Math.min(chunk, rowEnd - rowStart) * n);
        for (int r0 = rowStart; r0 < rowEnd; r0 += chunk) {
            int r1 = Math.min(rowEnd, r0 + chunk);
            for (int r = r0; r < r1; r++) {
                d.dequantize(w, r * rowBytes, 0, rows, (r - r0) * n, n);
            }
            // Long rows (the FFN's down projection) go in K segments, so that four tokens' slices of x
            // stay in L1 while every row pair of the chunk passes over them.
            for (int k0 = 0; k0 < n; k0 += K_SEGMENT) {
                int k1 = Math.min(n, k0 + K_SEGMENT);
                for (int tok = tokStart; tok < tokEnd; tok += 4) {
                    for (int r = r0; r < r1; r += 4) {
                        tile(rows, r - r0, r, Math.min(4, r1 - r), x, tok, tokEnd, n, k0, k1, out, outStride);
                    }
                }
            }
        }
    }

    /**
     * Tokens whose activations take about 1 MiB, which an L2 cache (2 MiB per core here) holds beside a
     * dequantized chunk: 128 tokens of 2,048. Larger blocks dequantize each weight fewer times.
     */
    public static int tokenBlock(int n) {
        return Math.max(16, (256 * 1024) / n);
    }

    /**
     * out[outOff + r] = row r · x[xOff, xOff+n) for r in [rowStart, rowEnd), each bit-identical to
     * {@link #dot}. Q8_0 rows go in fours, one from each quarter of the range (Q8_0Simd.dot4): four
     * sequential streams per thread that share the activation loads. Callers should hand over long
     * ranges.
     */
    public static void dotRows(GGMLType t, MemorySegment w, long rowBytes, int rowStart, int rowEnd, float[] x,
                               int xOff, int n, float[] out, int outOff) {
        int r = rowStart;
        int quarter = (rowEnd - rowStart) / 4;
        if (t == GGMLType.Q8_0 && quarter > 0) {
            long stride = quarter * rowBytes;
            for (; r < rowStart + quarter; r++) {
                Q8_0Simd.dot4(w, r * rowBytes, stride, x, xOff, n, out, outOff + r, quarter);
            }
            r = rowStart + 4 * quarter;
        }
        for (; r < rowEnd; r++) {
            out[outOff + r] = dot(t, w, r * rowBytes, x, xOff, n);
        }
    }

    /**
     * Rows a..a+3 of the buffer (row r of the weight onwards) times tokens tok..tok+3, over columns
     * [k0, k1). 16 accumulators, 4 activation vectors and 1 weight vector fit AVX-512's 32 registers,
     * and each loaded vector feeds four FMAs. A missing row or token repeats the last real one (its
     * result is not written), so there is a single kernel and no remainder paths.
     */
    private static void tile(float[] rows, int a, int r, int nRows, float[] x, int tok, int tokEnd, int n, int k0,
                             int k1, float[] out, int outStride) {
        int last = tokEnd - 1;
        int nTok = Math.min(4, tokEnd - tok);
        int w0 = a * n, w1 = (a + Math.min(1, nRows - 1)) * n;
        int w2 = (a + Math.min(2, nRows - 1)) * n, w3 = (a + Math.min(3, nRows - 1)) * n;
        int x0 = tok * n, x1 = Math.min(tok + 1, last) * n, x2 = Math.min(tok + 2, last) * n, x3 = Math.min(tok + 3, last) * n;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        FloatVector c0 = a0, c1 = a0, c2 = a0, c3 = a0, d0 = a0, d1 = a0, d2 = a0, d3 = a0;
        int i = k0;
        for (; i <= k1 - L; i += L) {
            FloatVector v0 = FloatVector.fromArray(F, x, x0 + i);
            FloatVector v1 = FloatVector.fromArray(F, x, x1 + i);
            FloatVector v2 = FloatVector.fromArray(F, x, x2 + i);
            FloatVector v3 = FloatVector.fromArray(F, x, x3 + i);
            FloatVector v = FloatVector.fromArray(F, rows, w0 + i);
            a0 = v.fma(v0, a0); a1 = v.fma(v1, a1); a2 = v.fma(v2, a2); a3 = v.fma(v3, a3);
            v = FloatVector.fromArray(F, rows, w1 + i);
            b0 = v.fma(v0, b0); b1 = v.fma(v1, b1); b2 = v.fma(v2, b2); b3 = v.fma(v3, b3);
            v = FloatVector.fromArray(F, rows, w2 + i);
            c0 = v.fma(v0, c0); c1 = v.fma(v1, c1); c2 = v.fma(v2, c2); c3 = v.fma(v3, c3);
            v = FloatVector.fromArray(F, rows, w3 + i);
            d0 = v.fma(v0, d0); d1 = v.fma(v1, d1); d2 = v.fma(v2, d2); d3 = v.fma(v3, d3);
        }
        boolean add = k0 > 0;
        int o = tok * outStride + r;
        emitRow(out, o, outStride, nTok, add, a0, a1, a2, a3, rows, w0, x, x0, x1, x2, x3, i, k1);
        if (nRows > 1) emitRow(out, o + 1, outStride, nTok, add, b0, b1, b2, b3, rows, w1, x, x0, x1, x2, x3, i, k1);
        if (nRows > 2) emitRow(out, o + 2, outStride, nTok, add, c0, c1, c2, c3, rows, w2, x, x0, x1, x2, x3, i, k1);
        if (nRows > 3) emitRow(out, o + 3, outStride, nTok, add, d0, d1, d2, d3, rows, w3, x, x0, x1, x2, x3, i, k1);
    }

    /** One weight row's results for the tile's tokens: lane sums plus the scalar tail [i, k1). */
    private static void emitRow(float[] out, int o, int outStride, int nTok, boolean add, FloatVector s0,
                                FloatVector s1, FloatVector s2, FloatVector s3, float[] rows, int w, float[] x,
                                int x0, int x1, int x2, int x3, int i, int k1) {
        emit(out, o, add, s0, rows, w, x, x0, i, k1);
        if (nTok > 1) emit(out, o + outStride, add, s1, rows, w, x, x1, i, k1);
        if (nTok > 2) emit(out, o + 2 * outStride, add, s2, rows, w, x, x2, i, k1);
        if (nTok > 3) emit(out, o + 3 * outStride, add, s3, rows, w, x, x3, i, k1);
    }

    /** Later K segments add to the partial sums the earlier ones stored. */
    private static void emit(float[] out, int o, boolean add, FloatVector acc, float[] rows, int w, float[] x, int xo,
                             int i, int k1) {
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < k1; i++) {
            s += rows[w + i] * x[xo + i];
        }
        out[o] = add ? out[o] + s : s;
    }

    private static float[] scratch(int size) {
        float[] s = SCRATCH.get();
        if (s.length < size) {
            s = new float[size];
            SCRATCH.set(s);
        }
        return s;
    }
}
