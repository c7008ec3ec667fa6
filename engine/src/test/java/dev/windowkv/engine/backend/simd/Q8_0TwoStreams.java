package dev.windowkv.engine.backend.simd;

import static dev.windowkv.engine.backend.simd.Lanes.F;
import static dev.windowkv.engine.backend.simd.Lanes.L;
import static dev.windowkv.engine.backend.simd.Lanes.PARTS;
import static dev.windowkv.engine.backend.simd.Lanes.bytes;
import static dev.windowkv.engine.backend.simd.Lanes.f16;
import static dev.windowkv.engine.backend.simd.Lanes.floats;

import dev.windowkv.kernels.quant.Q8_0;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q8_0 decode as it was before Q8_0Simd.dot4 (commit acff984): rows in pairs from the two halves of
 * a thread's range, two streams per thread. Kept for DecodeProfile's side-by-side figures.
 */
public final class Q8_0TwoStreams {
    private Q8_0TwoStreams() {}

    /** SimdMatmul.dotRows as it was for Q8_0. */
    public static void dotRows(MemorySegment w, long rowBytes, int rowStart, int rowEnd, float[] x, int xOff, int n,
                               float[] out, int outOff) {
        int r = rowStart;
        int half = (rowEnd - rowStart) / 2;
        if (half > 0) {
            long stride = half * rowBytes;
            for (; r < rowStart + half; r++) dot2(w, r * rowBytes, stride, x, xOff, n, out, outOff + r, half);
            r = rowStart + 2 * half;
        }
        for (; r < rowEnd; r++) out[outOff + r] = Q8_0Simd.dot(w, r * rowBytes, x, xOff, n);
    }

    /**
     * {@link #dot} of the rows at off and off + stride into out[outOff] and out[outOff + outStride],
     * each bit-identical to its own {@code dot}: two independent accumulation chains that share
     * every activation load.
     */
    static void dot2(MemorySegment w, long off, long stride, float[] x, int xOff, int n, float[] out, int outOff,
                     int outStride) {
        FloatVector a = FloatVector.zero(F), c = a;
        long end = off + (long) (n / Q8_0.BLOCK_SIZE) * Q8_0.TYPE_SIZE;
        int xb = xOff;
        for (long o = off; o < end; o += Q8_0.TYPE_SIZE, xb += Q8_0.BLOCK_SIZE) {
            long o2 = o + stride;
            ByteVector lo = bytes(w, o + 2), hi = bytes(w, o + 18), lo2 = bytes(w, o2 + 2), hi2 = bytes(w, o2 + 18);
            FloatVector xh = FloatVector.fromArray(F, x, xb + 16);
            FloatVector s = floats(hi, 0).mul(xh), s2 = floats(hi2, 0).mul(xh);
            for (int p = 1; p < PARTS; p++) {
                xh = FloatVector.fromArray(F, x, xb + 16 + p * L);
                s = floats(hi, p).fma(xh, s);
                s2 = floats(hi2, p).fma(xh, s2);
            }
            for (int p = 0; p < PARTS; p++) {
                FloatVector xl = FloatVector.fromArray(F, x, xb + p * L);
                s = floats(lo, p).fma(xl, s);
                s2 = floats(lo2, p).fma(xl, s2);
            }
            a = s.fma(FloatVector.broadcast(F, f16(w, o)), a);
            c = s2.fma(FloatVector.broadcast(F, f16(w, o2)), c);
        }
        out[outOff] = a.reduceLanes(VectorOperators.ADD);
        out[outOff + outStride] = c.reduceLanes(VectorOperators.ADD);
    }
}
