package dev.windowkv.engine.backend.simd;

import static dev.windowkv.engine.backend.simd.Lanes.F;
import static dev.windowkv.engine.backend.simd.Lanes.I16;
import static dev.windowkv.engine.backend.simd.Lanes.L;
import static dev.windowkv.engine.backend.simd.Lanes.PARTS;
import static dev.windowkv.engine.backend.simd.Lanes.bytes;
import static dev.windowkv.engine.backend.simd.Lanes.floats;

import dev.windowkv.kernels.Half;
import dev.windowkv.kernels.quant.Q6_K;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * {@link Q6_K} super-blocks, taken 16 bytes of ql/qh at a time: each such chunk yields four runs of
 * 16 values (at +0, +32, +64, +96 in the half), each run with its own 8-bit scale.
 */
final class Q6_KSimd {
    private Q6_KSimd() {}

    /** Run k (0..3) of a chunk: 16 values from ql0/ql1 low or high nibbles and qh bits 2k, as q - 32. */
    private static ByteVector run(ByteVector ql0, ByteVector ql1, ByteVector qh, int k) {
        ByteVector lo = (k & 1) == 0 ? ql0 : ql1;
        ByteVector low4 = k < 2 ? lo.and((byte) 0xF) : lo.lanewise(VectorOperators.LSHR, 4).and((byte) 0xF);
        ByteVector high2 = qh.lanewise(VectorOperators.LSHR, 2 * k).and((byte) 3).lanewise(VectorOperators.LSHL, 4);
        return low4.or(high2).sub((byte) 32);
    }

    private static float scale(MemorySegment w, long o, int s) {
        return w.get(ValueLayout.JAVA_BYTE, o + 192 + s);
    }

    static float dot(MemorySegment w, long off, float[] x, int xOff, int n) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < n / Q6_K.BLOCK_SIZE; b++) {
            long o = off + (long) b * Q6_K.TYPE_SIZE;
            float d = Half.f16ToF32(w.get(I16, o + 208));
            for (int h = 0; h < 2; h++) {
                for (int c = 0; c < 2; c++) {
                    ByteVector ql0 = bytes(w, o + 64 * h + 16 * c);
                    ByteVector ql1 = bytes(w, o + 64 * h + 32 + 16 * c);
                    ByteVector qh = bytes(w, o + 128 + 32 * h + 16 * c);
                    for (int k = 0; k < 4; k++) {
                        ByteVector q = run(ql0, ql1, qh, k);
                        int e = 128 * h + 32 * k + 16 * c;
                        float dl = d * scale(w, o, e / 16);
                        for (int p = 0; p < PARTS; p++) {
                            acc = floats(q, p).mul(dl).fma(FloatVector.fromArray(F, x, xOff + b * Q6_K.BLOCK_SIZE + e + p * L), acc);
                        }
                    }
                }
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    static void dequantizeRow(MemorySegment w, long off, float[] out, int outOff, int n) {
        for (int b = 0; b < n / Q6_K.BLOCK_SIZE; b++) {
            long o = off + (long) b * Q6_K.TYPE_SIZE;
            float d = Half.f16ToF32(w.get(I16, o + 208));
            for (int h = 0; h < 2; h++) {
                for (int c = 0; c < 2; c++) {
                    ByteVector ql0 = bytes(w, o + 64 * h + 16 * c);
                    ByteVector ql1 = bytes(w, o + 64 * h + 32 + 16 * c);
                    ByteVector qh = bytes(w, o + 128 + 32 * h + 16 * c);
                    for (int k = 0; k < 4; k++) {
                        ByteVector q = run(ql0, ql1, qh, k);
                        int e = 128 * h + 32 * k + 16 * c;
                        float dl = d * scale(w, o, e / 16);
                        for (int p = 0; p < PARTS; p++) {
                            floats(q, p).mul(dl).intoArray(out, outOff + b * Q6_K.BLOCK_SIZE + e + p * L);
                        }
                    }
                }
            }
        }
    }
}
