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
 * registers, bound by memory bandwidth. {@link #matmul} is the prefill path: it dequantizes a chunk
 * of rows once into a small f32 buffer and then multiplies it with every token in tiles of
 * 2 rows × 4 tokens, so each weight is decoded once per call instead of once per token.
 *
 * <p>All arithmetic is f32; activations are not quantized.
 */
public final class SimdMatmul {
    private SimdMatmul() {}

    /** Rows dequantized per chunk: about 256 KiB of f32, so a chunk and a token tile stay in L2. */
    static final int CHUNK_FLOATS = 64 * 1024;
    /** Below this many tokens, decoding each row once per token is cheaper than going through the buffer. */
    static final int MIN_TOKENS_FOR_TILES = 3;

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
     * out[tok * outStride + r] = row r · x[tok * n, tok * n + n) for r in [rowStart, rowEnd) and every
     * token; row r starts at byte r * rowBytes of w. Callers split the row range across threads.
     */
    public static void matmul(GGMLType t, MemorySegment w, long rowBytes, int rowStart, int rowEnd,
                              float[] x, int nTokens, int n, float[] out, int outStride) {
        if (nTokens < MIN_TOKENS_FOR_TILES) {
            for (int r = rowStart; r < rowEnd; r++) {
                for (int tok = 0; tok < nTokens; tok++) {
                    out[tok * outStride + r] = dot(t, w, r * rowBytes, x, tok * n, n);
                }
            }
            return;
        }
        int chunk = Math.max(2, CHUNK_FLOATS / n);
        float[] rows = scratch(Math.min(chunk, rowEnd - rowStart) * n);
        for (int r0 = rowStart; r0 < rowEnd; r0 += chunk) {
            int r1 = Math.min(rowEnd, r0 + chunk);
            for (int r = r0; r < r1; r++) {
                dequantizeRow(t, w, r * rowBytes, rows, (r - r0) * n, n);
            }
            for (int tok = 0; tok < nTokens; tok += 4) {
                for (int r = r0; r < r1; r += 2) {
                    tile(rows, r - r0, Math.min(r + 1, r1 - 1) - r0, r, r + 1 < r1, x, tok, nTokens, n, out, outStride);
                }
            }
        }
    }

    /**
     * Rows a and b of the buffer times tokens tok..tok+3. A missing second row or token repeats the
     * last real one (its result is not written), so there is a single kernel and no remainder paths.
     */
    private static void tile(float[] rows, int a, int b, int r, boolean hasB, float[] x, int tok, int nTokens,
                             int n, float[] out, int outStride) {
        int last = nTokens - 1;
        int wa = a * n, wb = b * n;
        int x0 = tok * n, x1 = Math.min(tok + 1, last) * n, x2 = Math.min(tok + 2, last) * n, x3 = Math.min(tok + 3, last) * n;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector va = FloatVector.fromArray(F, rows, wa + i);
            FloatVector vb = FloatVector.fromArray(F, rows, wb + i);
            FloatVector v0 = FloatVector.fromArray(F, x, x0 + i);
            FloatVector v1 = FloatVector.fromArray(F, x, x1 + i);
            FloatVector v2 = FloatVector.fromArray(F, x, x2 + i);
            FloatVector v3 = FloatVector.fromArray(F, x, x3 + i);
            a0 = va.fma(v0, a0); a1 = va.fma(v1, a1); a2 = va.fma(v2, a2); a3 = va.fma(v3, a3);
            b0 = vb.fma(v0, b0); b1 = vb.fma(v1, b1); b2 = vb.fma(v2, b2); b3 = vb.fma(v3, b3);
        }
        float sa0 = a0.reduceLanes(VectorOperators.ADD), sa1 = a1.reduceLanes(VectorOperators.ADD);
        float sa2 = a2.reduceLanes(VectorOperators.ADD), sa3 = a3.reduceLanes(VectorOperators.ADD);
        float sb0 = b0.reduceLanes(VectorOperators.ADD), sb1 = b1.reduceLanes(VectorOperators.ADD);
        float sb2 = b2.reduceLanes(VectorOperators.ADD), sb3 = b3.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sa0 += rows[wa + i] * x[x0 + i]; sa1 += rows[wa + i] * x[x1 + i];
            sa2 += rows[wa + i] * x[x2 + i]; sa3 += rows[wa + i] * x[x3 + i];
            sb0 += rows[wb + i] * x[x0 + i]; sb1 += rows[wb + i] * x[x1 + i];
            sb2 += rows[wb + i] * x[x2 + i]; sb3 += rows[wb + i] * x[x3 + i];
        }
        out[tok * outStride + r] = sa0;
        if (tok + 1 <= last) out[(tok + 1) * outStride + r] = sa1;
        if (tok + 2 <= last) out[(tok + 2) * outStride + r] = sa2;
        if (tok + 3 <= last) out[(tok + 3) * outStride + r] = sa3;
        if (hasB) {
            out[tok * outStride + r + 1] = sb0;
            if (tok + 1 <= last) out[(tok + 1) * outStride + r + 1] = sb1;
            if (tok + 2 <= last) out[(tok + 2) * outStride + r + 1] = sb2;
            if (tok + 3 <= last) out[(tok + 3) * outStride + r + 1] = sb3;
        }
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
