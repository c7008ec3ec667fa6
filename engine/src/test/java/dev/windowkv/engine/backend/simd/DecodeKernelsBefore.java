package dev.windowkv.engine.backend.simd;

import static dev.windowkv.engine.backend.simd.Lanes.F;
import static dev.windowkv.engine.backend.simd.Lanes.I;
import static dev.windowkv.engine.backend.simd.Lanes.f16;
import static dev.windowkv.engine.backend.simd.Lanes.L;
import static dev.windowkv.engine.backend.simd.Lanes.PARTS;
import static dev.windowkv.engine.backend.simd.Lanes.bytes;
import static dev.windowkv.engine.backend.simd.Lanes.floats;

import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.kernels.quant.Q4_0;
import dev.windowkv.kernels.quant.Q8_0;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The Q8_0 and Q4_0 decode kernels as they were before 2026-12-02 (commit f0807bf), kept only so that
 * DecodeKernelBenchmark measures old and new side by side: eight (Q8_0) or four (Q4_0) far-apart rows
 * per call, an int block index, a helper per block and software prefetch by touching a byte per line.
 */
public final class DecodeKernelsBefore {
    private DecodeKernelsBefore() {}

    /** SimdMatmul.dotRows as it was, for Q8_0 and Q4_0. */
    public static void dotRows(GGMLType t, MemorySegment w, long rowBytes, int rowStart, int rowEnd, float[] x,
                               int xOff, int n, float[] out, int outOff) {
        int r = rowStart;
        if (t == GGMLType.Q8_0 && (rowEnd - rowStart) / 8 > 0) {
            int q = (rowEnd - rowStart) / 8;
            long stride = q * rowBytes;
            for (; r < rowStart + q; r++) {
                q8Dot8(w, r * rowBytes, stride, x, xOff, n, out, outOff + r, q);
            }
            r = rowStart + 8 * q;
        } else if (t == GGMLType.Q4_0 && (rowEnd - rowStart) / 4 > 0) {
            int q = (rowEnd - rowStart) / 4;
            long stride = q * rowBytes;
            for (; r < rowStart + q; r++) {
                q4Dot4(w, r * rowBytes, stride, x, xOff, n, out, outOff + r, q);
            }
            r = rowStart + 4 * q;
        }
        for (; r < rowEnd; r++) {
            out[outOff + r] = SimdMatmul.dot(t, w, r * rowBytes, x, xOff, n);
        }
    }

    /**
     * {@link #dot} of eight rows: rows at off + k·stride go to out[outOff + k·outStride], each
     * bit-identical to its own {@code dot}. Far-apart rows are separate memory streams, and decode,
     * which reads every weight once per token, is limited by how many cache misses are in flight: the
     * first four rows are computed while the last four are touched a line at a time (Lanes.touch),
     * then the last four are computed from cache. One row at a time reads 3.9 GB/s per thread here;
     * this reads 7.3 (experiments/PERFORMANCE.md).
     */
    static void q8Dot8(MemorySegment w, long off, long stride, float[] x, int xOff, int n, float[] out, int outOff,
                     int outStride) {
        q8Dot4(w, off, stride, x, xOff, n, out, outOff, outStride, 4 * stride);
        q8Dot4(w, off + 4 * stride, stride, x, xOff, n, out, outOff + 4 * outStride, outStride, 0);
    }

    /** Four rows as {@link #dot8} describes, touching the four rows {@code ahead} bytes further on (0: none). */
    private static void q8Dot4(MemorySegment w, long off, long stride, float[] x, int xOff, int n, float[] out,
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
            FloatVector a = q8Block(w, off, x, xOff, b, a0);
            FloatVector bb = q8Block(w, o1, x, xOff, b, b0);
            FloatVector c = q8Block(w, o2, x, xOff, b, c0);
            FloatVector d = q8Block(w, o3, x, xOff, b, d0);
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
    private static FloatVector q8Block(MemorySegment w, long off, float[] x, int xOff, int b, FloatVector acc) {
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

    /**
     * {@link #dot} of four rows at once: rows at off + k·stride go to out[outOff + k·outStride], each
     * bit-identical to its own {@code dot}. Decode reads weights once per token and far-apart rows are
     * separate memory streams, which keeps more cache misses in flight (see Q8_0Simd.dot8). Two rows
     * are computed together (four Q4_0 blocks per iteration exceed C2's inlining node budget) while the
     * other two are touched a cache line at a time, so all four streams are in flight.
     */
    static void q4Dot4(MemorySegment w, long off, long stride, float[] x, int xOff, int n, float[] out, int outOff,
                     int outStride) {
        q4Dot2(w, off, stride, x, xOff, n, out, outOff, outStride, 2 * stride);
        q4Dot2(w, off + 2 * stride, stride, x, xOff, n, out, outOff + 2 * outStride, outStride, 0);
    }

    /** Two rows as {@link #dot4} describes, touching the two rows {@code ahead} bytes further on (0: none). */
    private static void q4Dot2(MemorySegment w, long off, long stride, float[] x, int xOff, int n, float[] out, int outOff,
                             int outStride, long ahead) {
        long o1 = off + stride;
        int touched = 0;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, b0 = a0, b1 = a0;
        for (int b = 0; b < n / Q4_0.BLOCK_SIZE; b++) {
            if (ahead != 0 && (b & 3) == 0) { // 4 blocks = 72 bytes: about one cache line per row
                long t = off + ahead + (long) b * Q4_0.TYPE_SIZE;
                touched |= touch(w, t) | touch(w, t + stride);
            }
            FloatVector a = q4Block(w, off, x, xOff, b, a0);
            FloatVector bb = q4Block(w, o1, x, xOff, b, b0);
            a0 = a1; b0 = b1;
            a1 = a; b1 = bb;
        }
        keep(touched);
        out[outOff] = a0.add(a1).reduceLanes(VectorOperators.ADD);
        out[outOff + outStride] = b0.add(b1).reduceLanes(VectorOperators.ADD);
    }

    /** acc + d_b · (q_b · x_b) for block b. */
    private static FloatVector q4Block(MemorySegment w, long off, float[] x, int xOff, int b, FloatVector acc) {
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

    private static int sink;

    private static int touch(MemorySegment w, long off) {
        return w.get(ValueLayout.JAVA_BYTE, Math.min(off, w.byteSize() - 1));
    }

    private static void keep(int touched) {
        sink = touched;
    }
}
