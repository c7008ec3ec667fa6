package dev.windowkv.engine.backend.simd;

import static dev.windowkv.engine.backend.simd.Lanes.F;
import static dev.windowkv.engine.backend.simd.Lanes.I32;
import static dev.windowkv.engine.backend.simd.Lanes.I64;
import static dev.windowkv.engine.backend.simd.Lanes.bytes;
import static dev.windowkv.engine.backend.simd.Lanes.dotRun;
import static dev.windowkv.engine.backend.simd.Lanes.f16;
import static dev.windowkv.engine.backend.simd.Lanes.highNibbles;
import static dev.windowkv.engine.backend.simd.Lanes.storeRun;

import dev.windowkv.kernels.quant.Q4_K;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * {@link Q4_K} super-blocks: each group of 32 quant bytes is two 16-byte chunks whose low nibbles
 * belong to one sub-block and high nibbles to the next. Chunks are spelled out, not looped over,
 * so that no vector has to pass through a branch (which would box it).
 */
final class Q4_KSimd {
    private Q4_KSimd() {}

    /** Byte k (0..11) of the 12 packed scale bytes, read once per block as a long (bytes 0-7) and an int (8-11). */
    private static int packed(long lo, int hi, int k) {
        return k < 8 ? (int) (lo >>> (8 * k)) & 0xff : (hi >>> (8 * (k - 8))) & 0xff;
    }

    /** {@link Q4_K#scale}, from the packed bytes held in registers. */
    static int scale(long lo, int hi, int j) {
        return j < 4 ? packed(lo, hi, j) & 63 : (packed(lo, hi, j + 4) & 0xF) | ((packed(lo, hi, j - 4) >>> 6) << 4);
    }

    /** {@link Q4_K#min}, from the packed bytes held in registers. */
    static int min(long lo, int hi, int j) {
        return j < 4 ? packed(lo, hi, j + 4) & 63 : (packed(lo, hi, j + 4) >>> 4) | ((packed(lo, hi, j) >>> 6) << 4);
    }

    static float dot(MemorySegment w, long off, float[] x, int xOff, int n) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < n / Q4_K.BLOCK_SIZE; b++) {
            long o = off + (long) b * Q4_K.TYPE_SIZE;
            float d = f16(w, o);
            float dmin = f16(w, o + 2);
            long sLo = w.get(I64, o + 4);
            int sHi = w.get(I32, o + 12);
            for (int g = 0; g < 4; g++) {
                int xg = xOff + b * Q4_K.BLOCK_SIZE + 64 * g;
                FloatVector d1 = FloatVector.broadcast(F, d * scale(sLo, sHi, 2 * g));
                FloatVector m1 = FloatVector.broadcast(F, -dmin * min(sLo, sHi, 2 * g));
                FloatVector d2 = FloatVector.broadcast(F, d * scale(sLo, sHi, 2 * g + 1));
                FloatVector m2 = FloatVector.broadcast(F, -dmin * min(sLo, sHi, 2 * g + 1));
                ByteVector q0 = bytes(w, o + 16 + 32 * g);
                ByteVector q1 = bytes(w, o + 16 + 32 * g + 16);
                acc = dotRun(acc, q0.and((byte) 0xF), d1, m1, x, xg);
                acc = dotRun(acc, q1.and((byte) 0xF), d1, m1, x, xg + 16);
                acc = dotRun(acc, highNibbles(q0), d2, m2, x, xg + 32);
                acc = dotRun(acc, highNibbles(q1), d2, m2, x, xg + 48);
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    static void dequantizeRow(MemorySegment w, long off, float[] out, int outOff, int n) {
        for (int b = 0; b < n / Q4_K.BLOCK_SIZE; b++) {
            long o = off + (long) b * Q4_K.TYPE_SIZE;
            float d = f16(w, o);
            float dmin = f16(w, o + 2);
            long sLo = w.get(I64, o + 4);
            int sHi = w.get(I32, o + 12);
            for (int g = 0; g < 4; g++) {
                int yg = outOff + b * Q4_K.BLOCK_SIZE + 64 * g;
                float d1 = d * scale(sLo, sHi, 2 * g), m1 = dmin * min(sLo, sHi, 2 * g);
                float d2 = d * scale(sLo, sHi, 2 * g + 1), m2 = dmin * min(sLo, sHi, 2 * g + 1);
                ByteVector q0 = bytes(w, o + 16 + 32 * g);
                ByteVector q1 = bytes(w, o + 16 + 32 * g + 16);
                storeRun(q0.and((byte) 0xF), d1, m1, out, yg);
                storeRun(q1.and((byte) 0xF), d1, m1, out, yg + 16);
                storeRun(highNibbles(q0), d2, m2, out, yg + 32);
                storeRun(highNibbles(q1), d2, m2, out, yg + 48);
            }
        }
    }
}
