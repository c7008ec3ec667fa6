package dev.windowkv.engine.backend.simd;

import static dev.windowkv.engine.backend.simd.Lanes.F;
import static dev.windowkv.engine.backend.simd.Lanes.I16;
import static dev.windowkv.engine.backend.simd.Lanes.L;
import static dev.windowkv.engine.backend.simd.Lanes.PARTS;
import static dev.windowkv.engine.backend.simd.Lanes.bytes;
import static dev.windowkv.engine.backend.simd.Lanes.floats;

import dev.windowkv.kernels.Half;
import dev.windowkv.kernels.quant.Q5_K;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** {@link Q5_K} super-blocks: Q4_K's layout plus a fifth bit per value from qh. */
final class Q5_KSimd {
    private Q5_KSimd() {}

    static float dot(MemorySegment w, long off, float[] x, int xOff, int n) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < n / Q5_K.BLOCK_SIZE; b++) {
            long o = off + (long) b * Q5_K.TYPE_SIZE;
            float d = Half.f16ToF32(w.get(I16, o));
            float dmin = Half.f16ToF32(w.get(I16, o + 2));
            for (int g = 0; g < 4; g++) {
                int xg = xOff + b * Q5_K.BLOCK_SIZE + 64 * g;
                FloatVector qxLo = FloatVector.zero(F), xLo = qxLo, qxHi = qxLo, xHi = qxLo;
                for (int c = 0; c < 2; c++) {
                    ByteVector q = bytes(w, o + 48 + 32 * g + 16 * c);
                    ByteVector h = bytes(w, o + 16 + 16 * c).lanewise(VectorOperators.LSHR, 2 * g);
                    ByteVector lo = q.and((byte) 0xF).or(h.and((byte) 1).lanewise(VectorOperators.LSHL, 4));
                    ByteVector hi = q.lanewise(VectorOperators.LSHR, 4).and((byte) 0xF)
                            .or(h.and((byte) 2).lanewise(VectorOperators.LSHL, 3));
                    for (int p = 0; p < PARTS; p++) {
                        FloatVector a = FloatVector.fromArray(F, x, xg + 16 * c + p * L);
                        FloatVector e = FloatVector.fromArray(F, x, xg + 32 + 16 * c + p * L);
                        qxLo = floats(lo, p).fma(a, qxLo);
                        xLo = xLo.add(a);
                        qxHi = floats(hi, p).fma(e, qxHi);
                        xHi = xHi.add(e);
                    }
                }
                acc = qxLo.fma(FloatVector.broadcast(F, d * Q4_KSimd.scale(w, o + 4, 2 * g)), acc);
                acc = xLo.fma(FloatVector.broadcast(F, -dmin * Q4_KSimd.min(w, o + 4, 2 * g)), acc);
                acc = qxHi.fma(FloatVector.broadcast(F, d * Q4_KSimd.scale(w, o + 4, 2 * g + 1)), acc);
                acc = xHi.fma(FloatVector.broadcast(F, -dmin * Q4_KSimd.min(w, o + 4, 2 * g + 1)), acc);
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    static void dequantizeRow(MemorySegment w, long off, float[] out, int outOff, int n) {
        for (int b = 0; b < n / Q5_K.BLOCK_SIZE; b++) {
            long o = off + (long) b * Q5_K.TYPE_SIZE;
            float d = Half.f16ToF32(w.get(I16, o));
            float dmin = Half.f16ToF32(w.get(I16, o + 2));
            for (int g = 0; g < 4; g++) {
                int yg = outOff + b * Q5_K.BLOCK_SIZE + 64 * g;
                float d1 = d * Q4_KSimd.scale(w, o + 4, 2 * g), m1 = dmin * Q4_KSimd.min(w, o + 4, 2 * g);
                float d2 = d * Q4_KSimd.scale(w, o + 4, 2 * g + 1), m2 = dmin * Q4_KSimd.min(w, o + 4, 2 * g + 1);
                for (int c = 0; c < 2; c++) {
                    ByteVector q = bytes(w, o + 48 + 32 * g + 16 * c);
                    ByteVector h = bytes(w, o + 16 + 16 * c).lanewise(VectorOperators.LSHR, 2 * g);
                    ByteVector lo = q.and((byte) 0xF).or(h.and((byte) 1).lanewise(VectorOperators.LSHL, 4));
                    ByteVector hi = q.lanewise(VectorOperators.LSHR, 4).and((byte) 0xF)
                            .or(h.and((byte) 2).lanewise(VectorOperators.LSHL, 3));
                    for (int p = 0; p < PARTS; p++) {
                        floats(lo, p).mul(d1).sub(m1).intoArray(out, yg + 16 * c + p * L);
                        floats(hi, p).mul(d2).sub(m2).intoArray(out, yg + 32 + 16 * c + p * L);
                    }
                }
            }
        }
    }
}
