package dev.windowkv.kernels.quant;

import dev.windowkv.kernels.Bytes;
import dev.windowkv.kernels.Half;

/**
 * GGML_TYPE_Q4_K, ggml's block_q4_K: a super-block of 256 values in 144 bytes,
 * eight sub-blocks of 32 with their own 6-bit scale and 6-bit min.
 * <pre>
 *   offset 0   f16  d           scale of the sub-block scales
 *   offset 2   f16  dmin        scale of the sub-block mins
 *   offset 4   u8   scales[12]  8 scales and 8 mins, 6 bits each, packed (see {@link #scale}, {@link #min})
 *   offset 16  u8   qs[128]     4-bit quants
 * </pre>
 * Quants come in four groups of 32 bytes; group g holds sub-block 2g in its low nibbles and
 * sub-block 2g+1 in its high nibbles. Value = d * scale(j) * q - dmin * min(j).
 */
public final class Q4_K {
    private Q4_K() {}

    public static final int BLOCK_SIZE = 256;
    public static final int TYPE_SIZE = 144;

    /**
     * Sub-block j's 6-bit scale from the 12 packed bytes at {@code s}: bytes 0-3 hold scales 0-3 in
     * their low 6 bits, bytes 8-11 the low 4 bits of scales 4-7, and the top 2 bits of bytes 0-3
     * the high 2 bits of scales 4-7. (Same packing in Q5_K.)
     */
    public static int scale(byte[] w, int s, int j) {
        if (j < 4) {
            return w[s + j] & 63;
        }
        return (w[s + j + 4] & 0xF) | (((w[s + j - 4] & 0xff) >>> 6) << 4);
    }

    /** Sub-block j's 6-bit min: bytes 4-7 low 6 bits, bytes 8-11 high nibbles, bytes 4-7 top 2 bits. */
    public static int min(byte[] w, int s, int j) {
        if (j < 4) {
            return w[s + j + 4] & 63;
        }
        return ((w[s + j + 4] & 0xff) >>> 4) | (((w[s + j] & 0xff) >>> 6) << 4);
    }

    public static float dot(byte[] w, int wOff, float[] x, int xOff, int n) {
        float sum = 0f;
        for (int b = 0; b < n / BLOCK_SIZE; b++) {
            int o = wOff + b * TYPE_SIZE;
            float d = Half.f16ToF32(Bytes.u16(w, o));
            float dmin = Half.f16ToF32(Bytes.u16(w, o + 2));
            for (int g = 0; g < 4; g++) {
                int q = o + 16 + 32 * g;
                int xo = xOff + b * BLOCK_SIZE + 64 * g;
                float qxLo = 0f, xLo = 0f, qxHi = 0f, xHi = 0f;
                for (int l = 0; l < 32; l++) {
                    int v = w[q + l] & 0xff;
                    float a = x[xo + l];
                    float c = x[xo + 32 + l];
                    qxLo += (v & 0xF) * a;
                    xLo += a;
                    qxHi += (v >>> 4) * c;
                    xHi += c;
                }
                sum += d * scale(w, o + 4, 2 * g) * qxLo - dmin * min(w, o + 4, 2 * g) * xLo;
                sum += d * scale(w, o + 4, 2 * g + 1) * qxHi - dmin * min(w, o + 4, 2 * g + 1) * xHi;
            }
        }
        return sum;
    }

    public static void dequantizeRow(byte[] w, int wOff, float[] out, int outOff, int n) {
        for (int b = 0; b < n / BLOCK_SIZE; b++) {
            int o = wOff + b * TYPE_SIZE;
            float d = Half.f16ToF32(Bytes.u16(w, o));
            float dmin = Half.f16ToF32(Bytes.u16(w, o + 2));
            for (int g = 0; g < 4; g++) {
                int q = o + 16 + 32 * g;
                int yo = outOff + b * BLOCK_SIZE + 64 * g;
                float d1 = d * scale(w, o + 4, 2 * g);
                float m1 = dmin * min(w, o + 4, 2 * g);
                float d2 = d * scale(w, o + 4, 2 * g + 1);
                float m2 = dmin * min(w, o + 4, 2 * g + 1);
                for (int l = 0; l < 32; l++) {
                    int v = w[q + l] & 0xff;
                    out[yo + l] = d1 * (v & 0xF) - m1;
                    out[yo + 32 + l] = d2 * (v >>> 4) - m2;
                }
            }
        }
    }
}
