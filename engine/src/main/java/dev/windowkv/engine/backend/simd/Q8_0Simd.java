package dev.windowkv.engine.backend.simd;

import static dev.windowkv.engine.backend.simd.Lanes.F;
import static dev.windowkv.engine.backend.simd.Lanes.f16;
import static dev.windowkv.engine.backend.simd.Lanes.L;
import static dev.windowkv.engine.backend.simd.Lanes.PARTS;
import static dev.windowkv.engine.backend.simd.Lanes.bytes;
import static dev.windowkv.engine.backend.simd.Lanes.floats;

import dev.windowkv.kernels.quant.Q8_0;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** {@link Q8_0} blocks (f16 d, 32 × i8) read from the segment; the scale is applied once per block. */
final class Q8_0Simd {
    private Q8_0Simd() {}

    /**
     * Σ_b d_b · (q_b · x_b) over the row's blocks. One accumulator, so that {@link #dot2} gives each of
     * its rows this exact sum. The loop runs on the byte offset (a long) and C2 then drops the
     * segment's bounds checks from the loop body; with an int block index and a helper per block the
     * body kept a bounds check per load, spilled its offsets and ran at a third of this speed
     * (experiments/PERFORMANCE.md, "Decode on Zen 5").
     */
    static float dot(MemorySegment w, long off, float[] x, int xOff, int n) {
        FloatVector acc = FloatVector.zero(F);
        long end = off + (long) (n / Q8_0.BLOCK_SIZE) * Q8_0.TYPE_SIZE;
        int xb = xOff;
        for (long o = off; o < end; o += Q8_0.TYPE_SIZE, xb += Q8_0.BLOCK_SIZE) {
            // Spelled out in the loop, also in dot2: a helper per block is inlined only while C2 has
            // not compiled it on its own first ("already compiled into a big method"), and a call
            // boxes every vector it takes.
            ByteVector lo = bytes(w, o + 2), hi = bytes(w, o + 18);
            FloatVector s = floats(hi, 0).mul(FloatVector.fromArray(F, x, xb + 16)); // a mul starts the block's sum
            for (int p = 1; p < PARTS; p++) s = floats(hi, p).fma(FloatVector.fromArray(F, x, xb + 16 + p * L), s);
            for (int p = 0; p < PARTS; p++) s = floats(lo, p).fma(FloatVector.fromArray(F, x, xb + p * L), s);
            acc = s.fma(FloatVector.broadcast(F, f16(w, o)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
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

    static void dequantizeRow(MemorySegment w, long off, float[] out, int outOff, int n) {
        for (int b = 0; b < n / Q8_0.BLOCK_SIZE; b++) {
            long o = off + (long) b * Q8_0.TYPE_SIZE;
            int yb = outOff + b * Q8_0.BLOCK_SIZE;
            float d = f16(w, o);
            for (int c = 0; c < 2; c++) {
                ByteVector q = bytes(w, o + 2 + 16 * c);
                for (int p = 0; p < PARTS; p++) {
                    floats(q, p).mul(d).intoArray(out, yb + 16 * c + p * L);
                }
            }
        }
    }
}
