package dev.windowkv.engine.backend.simd;

import static dev.windowkv.engine.backend.simd.Lanes.F;
import static dev.windowkv.engine.backend.simd.Lanes.I;
import static dev.windowkv.engine.backend.simd.Lanes.f16;
import static dev.windowkv.engine.backend.simd.Lanes.L;
import static dev.windowkv.engine.backend.simd.Lanes.PARTS;
import static dev.windowkv.engine.backend.simd.Lanes.bytes;
import static dev.windowkv.engine.backend.simd.Lanes.floats;
import static dev.windowkv.engine.backend.simd.Lanes.highNibbles;
import static dev.windowkv.engine.backend.simd.Lanes.keep;
import static dev.windowkv.engine.backend.simd.Lanes.touch;

import dev.windowkv.kernels.quant.Q4_0;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/** {@link Q4_0} blocks: the 16 quant bytes split into low nibbles (values 0-15) and high nibbles (16-31). */
final class Q4_0Simd {
    private Q4_0Simd() {}

    static float dot(MemorySegment w, long off, float[] x, int xOff, int n) {
        // Two accumulators: consecutive blocks' final fmas do not wait on each other's latency.
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0;
        int blocks = n / Q4_0.BLOCK_SIZE;
        int b = 0;
        for (; b + 1 < blocks; b += 2) {
            acc0 = block(w, off, x, xOff, b, acc0);
            acc1 = block(w, off, x, xOff, b + 1, acc1);
        }
        if (b < blocks) acc0 = block(w, off, x, xOff, b, acc0);
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    /**
     * {@link #dot} of four rows at once: rows at off + k·stride go to out[outOff + k·outStride], each
     * bit-identical to its own {@code dot}. Decode reads weights once per token and far-apart rows are
     * separate memory streams, which keeps more cache misses in flight (see Q8_0Simd.dot8). Two rows
     * are computed together (four Q4_0 blocks per iteration exceed C2's inlining node budget) while the
     * other two are touched a cache line at a time, so all four streams are in flight.
     */
    static void dot4(MemorySegment w, long off, long stride, float[] x, int xOff, int n, float[] out, int outOff,
                     int outStride) {
        dot2(w, off, stride, x, xOff, n, out, outOff, outStride, 2 * stride);
        dot2(w, off + 2 * stride, stride, x, xOff, n, out, outOff + 2 * outStride, outStride, 0);
    }

    /** Two rows as {@link #dot4} describes, touching the two rows {@code ahead} bytes further on (0: none). */
    private static void dot2(MemorySegment w, long off, long stride, float[] x, int xOff, int n, float[] out, int outOff,
                             int outStride, long ahead) {
        long o1 = off + stride;
        int touched = 0;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, b0 = a0, b1 = a0;
        for (int b = 0; b < n / Q4_0.BLOCK_SIZE; b++) {
            if (ahead != 0 && (b & 3) == 0) { // 4 blocks = 72 bytes: about one cache line per row
                long t = off + ahead + (long) b * Q4_0.TYPE_SIZE;
                touched |= touch(w, t) | touch(w, t + stride);
            }
            FloatVector a = block(w, off, x, xOff, b, a0);
            FloatVector bb = block(w, o1, x, xOff, b, b0);
            a0 = a1; b0 = b1;
            a1 = a; b1 = bb;
        }
        keep(touched);
        out[outOff] = a0.add(a1).reduceLanes(VectorOperators.ADD);
        out[outOff + outStride] = b0.add(b1).reduceLanes(VectorOperators.ADD);
    }

    /** acc + d_b · (q_b · x_b) for block b. */
    private static FloatVector block(MemorySegment w, long off, float[] x, int xOff, int b, FloatVector acc) {
        long o = off + (long) b * Q4_0.TYPE_SIZE;
        int xb = xOff + b * Q4_0.BLOCK_SIZE;
        ByteVector q = bytes(w, o + 2);
        FloatVector block = FloatVector.zero(F);
        for (int p = 0; p < PARTS; p++) {
            // Nibbles split in 32-bit lanes: x86 has no byte shifts, and this is fewer C2 nodes, which
            // dot4 needs to inline four blocks.
            IntVector u = (IntVector) q.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
            FloatVector lo = (FloatVector) u.and(0xF).sub(8).convert(VectorOperators.I2F, 0);
            FloatVector hi = (FloatVector) u.lanewise(VectorOperators.LSHR, 4).sub(8).convert(VectorOperators.I2F, 0);
            block = lo.fma(FloatVector.fromArray(F, x, xb + p * L), block);
            block = hi.fma(FloatVector.fromArray(F, x, xb + 16 + p * L), block);
        }
        return block.fma(FloatVector.broadcast(F, f16(w, o)), acc);
    }

    static void dequantizeRow(MemorySegment w, long off, float[] out, int outOff, int n) {
        for (int b = 0; b < n / Q4_0.BLOCK_SIZE; b++) {
            long o = off + (long) b * Q4_0.TYPE_SIZE;
            int yb = outOff + b * Q4_0.BLOCK_SIZE;
            float d = f16(w, o);
            ByteVector q = bytes(w, o + 2);
            ByteVector lo = q.and((byte) 0xF).sub((byte) 8);
            ByteVector hi = highNibbles(q).sub((byte) 8);
            for (int p = 0; p < PARTS; p++) {
                floats(lo, p).mul(d).intoArray(out, yb + p * L);
                floats(hi, p).mul(d).intoArray(out, yb + 16 + p * L);
            }
        }
    }
}
