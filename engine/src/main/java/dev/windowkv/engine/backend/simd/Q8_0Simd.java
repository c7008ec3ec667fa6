package dev.windowkv.engine.backend.simd;

import static dev.windowkv.engine.backend.simd.Lanes.F;
import static dev.windowkv.engine.backend.simd.Lanes.f16;
import static dev.windowkv.engine.backend.simd.Lanes.L;
import static dev.windowkv.engine.backend.simd.Lanes.PARTS;
import static dev.windowkv.engine.backend.simd.Lanes.bytes;
import static dev.windowkv.engine.backend.simd.Lanes.floats;
import static dev.windowkv.engine.backend.simd.Lanes.keep;
import static dev.windowkv.engine.backend.simd.Lanes.touch;

import dev.windowkv.kernels.quant.Q8_0;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** {@link Q8_0} blocks (f16 d, 32 × i8) read from the segment; the scale is applied once per block. */
final class Q8_0Simd {
    private Q8_0Simd() {}

    static float dot(MemorySegment w, long off, float[] x, int xOff, int n) {
        // Two accumulators: consecutive blocks' final fmas do not wait on each other's latency.
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0;
        int blocks = n / Q8_0.BLOCK_SIZE;
        int b = 0;
        for (; b + 1 < blocks; b += 2) {
            acc0 = block(w, off, x, xOff, b, acc0);
            acc1 = block(w, off, x, xOff, b + 1, acc1);
        }
        if (b < blocks) acc0 = block(w, off, x, xOff, b, acc0);
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    /**
     * {@link #dot} of eight rows: rows at off + k·stride go to out[outOff + k·outStride], each
     * bit-identical to its own {@code dot}. Far-apart rows are separate memory streams, and decode,
     * which reads every weight once per token, is limited by how many cache misses are in flight: the
     * first four rows are computed while the last four are touched a line at a time (Lanes.touch),
     * then the last four are computed from cache. One row at a time reads 3.9 GB/s per thread here;
     * this reads 7.3 (experiments/PERFORMANCE.md).
     */
    static void dot8(MemorySegment w, long off, long stride, float[] x, int xOff, int n, float[] out, int outOff,
                     int outStride) {
        dot4(w, off, stride, x, xOff, n, out, outOff, outStride, 4 * stride);
        dot4(w, off + 4 * stride, stride, x, xOff, n, out, outOff + 4 * outStride, outStride, 0);
    }

    /** Four rows as {@link #dot8} describes, touching the four rows {@code ahead} bytes further on (0: none). */
    private static void dot4(MemorySegment w, long off, long stride, float[] x, int xOff, int n, float[] out,
                             int outOff, int outStride, long ahead) {
        long o1 = off + stride, o2 = o1 + stride, o3 = o2 + stride;
        int touched = 0;
        // dot's even/odd accumulators, swapped after every block: four call sites instead of eight keep
        // this method small enough for C2 to inline every block (otherwise the vectors get boxed).
        FloatVector a0 = FloatVector.zero(F), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
        for (int b = 0; b < n / Q8_0.BLOCK_SIZE; b++) {
            if (ahead != 0 && (b & 1) == 0) { // 2 blocks = 68 bytes: about one cache line per row
                long t = off + ahead + (long) b * Q8_0.TYPE_SIZE;
                touched |= touch(w, t) | touch(w, t + stride) | touch(w, t + 2 * stride) | touch(w, t + 3 * stride);
            }
            FloatVector a = block(w, off, x, xOff, b, a0);
            FloatVector bb = block(w, o1, x, xOff, b, b0);
            FloatVector c = block(w, o2, x, xOff, b, c0);
            FloatVector d = block(w, o3, x, xOff, b, d0);
            a0 = a1; b0 = b1; c0 = c1; d0 = d1;
            a1 = a; b1 = bb; c1 = c; d1 = d;
        }
        keep(touched);
        out[outOff] = a0.add(a1).reduceLanes(VectorOperators.ADD);
        out[outOff + outStride] = b0.add(b1).reduceLanes(VectorOperators.ADD);
        out[outOff + 2 * outStride] = c0.add(c1).reduceLanes(VectorOperators.ADD);
        out[outOff + 3 * outStride] = d0.add(d1).reduceLanes(VectorOperators.ADD);
    }

    /** acc + d_b · (q_b · x_b) for block b. */
    private static FloatVector block(MemorySegment w, long off, float[] x, int xOff, int b, FloatVector acc) {
        long o = off + (long) b * Q8_0.TYPE_SIZE;
        int xb = xOff + b * Q8_0.BLOCK_SIZE;
        FloatVector block = FloatVector.zero(F);
        for (int c = 0; c < 2; c++) {
            ByteVector q = bytes(w, o + 2 + 16 * c);
            for (int p = 0; p < PARTS; p++) {
                block = floats(q, p).fma(FloatVector.fromArray(F, x, xb + 16 * c + p * L), block);
            }
        }
        return block.fma(FloatVector.broadcast(F, f16(w, o)), acc);
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
