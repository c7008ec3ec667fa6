package dev.windowkv.engine.backend.simd;

import static dev.windowkv.engine.backend.simd.Lanes.F;
import static dev.windowkv.engine.backend.simd.Lanes.I;
import static dev.windowkv.engine.backend.simd.Lanes.f16;
import static dev.windowkv.engine.backend.simd.Lanes.L;
import static dev.windowkv.engine.backend.simd.Lanes.PARTS;
import static dev.windowkv.engine.backend.simd.Lanes.bytes;
import static dev.windowkv.engine.backend.simd.Lanes.floats;
import static dev.windowkv.engine.backend.simd.Lanes.highNibbles;

import dev.windowkv.kernels.quant.Q4_0;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/** {@link Q4_0} blocks: the 16 quant bytes split into low nibbles (values 0-15) and high nibbles (16-31). */
final class Q4_0Simd {
    private Q4_0Simd() {}

    /**
     * Σ_b d_b · ((q_b − 8) · x_b) over the row's blocks, on a long byte-offset loop as Q8_0Simd#dot.
     * One row at a time with two accumulators (even and odd blocks): two rows per pass, as Q8_0 goes,
     * ran 10% slower here (the unpacking's temporaries and constants crowd the registers).
     */
    static float dot(MemorySegment w, long off, float[] x, int xOff, int n) {
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0;
        long end = off + (long) (n / Q4_0.BLOCK_SIZE) * Q4_0.TYPE_SIZE;
        int xb = xOff;
        for (long o = off; o < end; o += Q4_0.TYPE_SIZE, xb += Q4_0.BLOCK_SIZE) {
            // Spelled out in the loop, as in Q8_0Simd#dot (a helper may not be inlined).
            ByteVector q = bytes(w, o + 2);
            FloatVector s = null;
            for (int p = 0; p < PARTS; p++) {
                // Nibbles split in 32-bit lanes: x86 has no byte shifts. Byte i holds values i (low) and 16 + i (high).
                IntVector u = (IntVector) q.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, p);
                FloatVector lo = (FloatVector) u.and(0xF).sub(8).convert(VectorOperators.I2F, 0);
                FloatVector hi = (FloatVector) u.lanewise(VectorOperators.LSHR, 4).sub(8).convert(VectorOperators.I2F, 0);
                FloatVector h = hi.mul(FloatVector.fromArray(F, x, xb + 16 + p * L));
                s = lo.fma(FloatVector.fromArray(F, x, xb + p * L), s == null ? h : h.add(s));
            }
            FloatVector a = s.fma(FloatVector.broadcast(F, f16(w, o)), acc0);
            acc0 = acc1;
            acc1 = a;
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
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
