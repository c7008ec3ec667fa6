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
     * Σ_b d_b · (q_b · x_b) over the row's blocks. One accumulator, so that {@link #dot4} gives each of
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
            // Spelled out in the loop, also in dot4: a helper per block is inlined only while C2 has
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
     * {@link #dot} of the four rows at off + k·stride (k = 0..3) into out[outOff + k·outStride], each
     * bit-identical to its own {@code dot}. Four sequential streams per thread: with two threads
     * decoding, two streams each (the former dot2, kept in the tests as Q8_0TwoStreams) left the products ~30% short of what the memory system
     * streams (experiments/PERFORMANCE.md, "Decode: four streams per thread"); the streams must be
     * far apart: four adjacent rows ran at half the two-stream speed.
     */
    static void dot4(MemorySegment w, long off, long stride, float[] x, int xOff, int n, float[] out, int outOff,
                     int outStride) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        long end = off + (long) (n / Q8_0.BLOCK_SIZE) * Q8_0.TYPE_SIZE;
        int xb = xOff;
        for (long o = off; o < end; o += Q8_0.TYPE_SIZE, xb += Q8_0.BLOCK_SIZE) {
            long o1 = o + stride, o2 = o1 + stride, o3 = o2 + stride;
            // Each row's sum in dot's order: the high half's parts, then the low half's.
            FloatVector xv = FloatVector.fromArray(F, x, xb + 16);
            FloatVector s0 = floats(bytes(w, o + 18), 0).mul(xv), s1 = floats(bytes(w, o1 + 18), 0).mul(xv);
            FloatVector s2 = floats(bytes(w, o2 + 18), 0).mul(xv), s3 = floats(bytes(w, o3 + 18), 0).mul(xv);
            for (int p = 1; p < PARTS; p++) {
                xv = FloatVector.fromArray(F, x, xb + 16 + p * L);
                s0 = floats(bytes(w, o + 18), p).fma(xv, s0);
                s1 = floats(bytes(w, o1 + 18), p).fma(xv, s1);
                s2 = floats(bytes(w, o2 + 18), p).fma(xv, s2);
                s3 = floats(bytes(w, o3 + 18), p).fma(xv, s3);
            }
            for (int p = 0; p < PARTS; p++) {
                xv = FloatVector.fromArray(F, x, xb + p * L);
                s0 = floats(bytes(w, o + 2), p).fma(xv, s0);
                s1 = floats(bytes(w, o1 + 2), p).fma(xv, s1);
                s2 = floats(bytes(w, o2 + 2), p).fma(xv, s2);
                s3 = floats(bytes(w, o3 + 2), p).fma(xv, s3);
            }
            a0 = s0.fma(FloatVector.broadcast(F, f16(w, o)), a0);
            a1 = s1.fma(FloatVector.broadcast(F, f16(w, o1)), a1);
            a2 = s2.fma(FloatVector.broadcast(F, f16(w, o2)), a2);
            a3 = s3.fma(FloatVector.broadcast(F, f16(w, o3)), a3);
        }
        out[outOff] = a0.reduceLanes(VectorOperators.ADD);
        out[outOff + outStride] = a1.reduceLanes(VectorOperators.ADD);
        out[outOff + 2 * outStride] = a2.reduceLanes(VectorOperators.ADD);
        out[outOff + 3 * outStride] = a3.reduceLanes(VectorOperators.ADD);
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
