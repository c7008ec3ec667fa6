package dev.windowkv.engine.backend.simd;

import static dev.windowkv.engine.backend.simd.Lanes.F;
import static dev.windowkv.engine.backend.simd.Lanes.I16;
import static dev.windowkv.engine.backend.simd.Lanes.L;
import static dev.windowkv.engine.backend.simd.Lanes.PARTS;
import static dev.windowkv.engine.backend.simd.Lanes.bytes;
import static dev.windowkv.engine.backend.simd.Lanes.floats;
import static dev.windowkv.engine.backend.simd.Lanes.u8;

import dev.windowkv.kernels.Half;
import dev.windowkv.kernels.quant.Q4_K;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * {@link Q4_K} super-blocks. The dot product keeps, per sub-block, Σ q·x and Σ x apart and applies
 * d·scale and dmin·min once per sub-block, so the hot loop is a widen, an fma and an add.
 */
final class Q4_KSimd {
    private Q4_KSimd() {}

    /** {@link Q4_K#scale} over a segment: the 6-bit scale of sub-block j from the 12 bytes at s. */
    static int scale(MemorySegment w, long s, int j) {
        return j < 4 ? u8(w, s + j) & 63 : (u8(w, s + j + 4) & 0xF) | ((u8(w, s + j - 4) >>> 6) << 4);
    }

    /** {@link Q4_K#min} over a segment. */
    static int min(MemorySegment w, long s, int j) {
        return j < 4 ? u8(w, s + j + 4) & 63 : (u8(w, s + j + 4) >>> 4) | ((u8(w, s + j) >>> 6) << 4);
    }

    static float dot(MemorySegment w, long off, float[] x, int xOff, int n) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < n / Q4_K.BLOCK_SIZE; b++) {
            long o = off + (long) b * Q4_K.TYPE_SIZE;
            float d = Half.f16ToF32(w.get(I16, o));
            float dmin = Half.f16ToF32(w.get(I16, o + 2));
            for (int g = 0; g < 4; g++) {
                int xg = xOff + b * Q4_K.BLOCK_SIZE + 64 * g;
                FloatVector qxLo = FloatVector.zero(F), xLo = qxLo, qxHi = qxLo, xHi = qxLo;
                for (int c = 0; c < 2; c++) {
                    ByteVector q = bytes(w, o + 16 + 32 * g + 16 * c);
                    ByteVector lo = q.and((byte) 0xF);
                    ByteVector hi = q.lanewise(VectorOperators.LSHR, 4).and((byte) 0xF);
                    for (int p = 0; p < PARTS; p++) {
                        FloatVector a = FloatVector.fromArray(F, x, xg + 16 * c + p * L);
                        FloatVector e = FloatVector.fromArray(F, x, xg + 32 + 16 * c + p * L);
                        qxLo = floats(lo, p).fma(a, qxLo);
                        xLo = xLo.add(a);
                        qxHi = floats(hi, p).fma(e, qxHi);
                        xHi = xHi.add(e);
                    }
                }
                acc = qxLo.fma(FloatVector.broadcast(F, d * scale(w, o + 4, 2 * g)), acc);
                acc = xLo.fma(FloatVector.broadcast(F, -dmin * min(w, o + 4, 2 * g)), acc);
                acc = qxHi.fma(FloatVector.broadcast(F, d * scale(w, o + 4, 2 * g + 1)), acc);
                acc = xHi.fma(FloatVector.broadcast(F, -dmin * min(w, o + 4, 2 * g + 1)), acc);
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    static void dequantizeRow(MemorySegment w, long off, float[] out, int outOff, int n) {
        for (int b = 0; b < n / Q4_K.BLOCK_SIZE; b++) {
            long o = off + (long) b * Q4_K.TYPE_SIZE;
            float d = Half.f16ToF32(w.get(I16, o));
            float dmin = Half.f16ToF32(w.get(I16, o + 2));
            for (int g = 0; g < 4; g++) {
                int yg = outOff + b * Q4_K.BLOCK_SIZE + 64 * g;
                float d1 = d * scale(w, o + 4, 2 * g), m1 = dmin * min(w, o + 4, 2 * g);
                float d2 = d * scale(w, o + 4, 2 * g + 1), m2 = dmin * min(w, o + 4, 2 * g + 1);
                for (int c = 0; c < 2; c++) {
                    ByteVector q = bytes(w, o + 16 + 32 * g + 16 * c);
                    ByteVector lo = q.and((byte) 0xF);
                    ByteVector hi = q.lanewise(VectorOperators.LSHR, 4).and((byte) 0xF);
                    for (int p = 0; p < PARTS; p++) {
                        // mul then sub, not fma: bit-identical to the scalar reference.
                        floats(lo, p).mul(d1).sub(m1).intoArray(out, yg + 16 * c + p * L);
                        floats(hi, p).mul(d2).sub(m2).intoArray(out, yg + 32 + 16 * c + p * L);
                    }
                }
            }
        }
    }
}
