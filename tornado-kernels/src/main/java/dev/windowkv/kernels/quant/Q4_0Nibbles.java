package dev.windowkv.kernels.quant;

import dev.windowkv.kernels.Bytes;
import dev.windowkv.kernels.Half;

/**
 * {@link Q4_0}'s dot product and dequantization with every byte read through {@code Bytes.u8}: the
 * form TornadoVM 5.2.0 compiles right (its OpenCL lowering drops the sign extension of a
 * {@code byte[]} load, so {@code Q4_0.dot}'s {@code w[i] & 0xff} is computed in a {@code char}).
 * Same products in the same order as {@link Q4_0}, so the same bits; the CPU backends keep
 * {@link Q4_0}, whose plain byte read is cheaper there.
 */
public final class Q4_0Nibbles {
    private Q4_0Nibbles() {}

    public static float dot(byte[] w, int wOff, float[] x, int xOff, int n) {
        float sum = 0f;
        for (int b = 0; b < n / Q4_0.BLOCK_SIZE; b++) {
            int o = wOff + b * Q4_0.TYPE_SIZE;
            int xo = xOff + b * Q4_0.BLOCK_SIZE;
            float s = 0f;
            for (int j = 0; j < 16; j++) {
                int q = Bytes.u8(w, o + 2 + j);
                s += ((q & 0xF) - 8) * x[xo + j] + ((q >>> 4) - 8) * x[xo + 16 + j];
            }
            sum += Half.f16ToF32(Bytes.u16(w, o)) * s;
        }
        return sum;
    }

    /** Value {@code j} (0..31) of the block at {@code o}, given its scale {@code d}: low nibbles first, then high. */
    public static float value(byte[] w, int o, int j, float d) {
        int q = Bytes.u8(w, o + 2 + (j & 15));
        int nibble = j < 16 ? q & 0xF : q >>> 4;
        return (nibble - 8) * d;
    }
}
