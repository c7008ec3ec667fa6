package dev.windowkv.kernels.quant;

import dev.windowkv.kernels.Bytes;
import dev.windowkv.kernels.Half;

/**
 * GGML_TYPE_Q5_K, ggml's block_q5_K: a super-block of 256 values in 176 bytes.
 * <pre>
 *   offset 0   f16  d           scale of the sub-block scales
 *   offset 2   f16  dmin        scale of the sub-block mins
 *   offset 4   u8   scales[12]  packed exactly as in Q4_K
 *   offset 16  u8   qh[32]      fifth bits: bit 2g of qh[l] for sub-block 2g, bit 2g+1 for 2g+1
 *   offset 48  u8   qs[128]     low 4 bits, grouped as in Q4_K
 * </pre>
 * Value = d * scale(j) * (q | high bit &lt;&lt; 4) - dmin * min(j).
 */
public final class Q5_K {
    private Q5_K() {}

    public static final int BLOCK_SIZE = 256;
    public static final int TYPE_SIZE = 176;

    public static float dot(byte[] w, int wOff, float[] x, int xOff, int n) {
        float sum = 0f;
        for (int b = 0; b < n / BLOCK_SIZE; b++) {
            int o = wOff + b * TYPE_SIZE;
            float d = Half.f16ToF32(Bytes.u16(w, o));
            float dmin = Half.f16ToF32(Bytes.u16(w, o + 2));
            for (int g = 0; g < 4; g++) {
                int q = o + 48 + 32 * g;
                int xo = xOff + b * BLOCK_SIZE + 64 * g;
                float qxLo = 0f, xLo = 0f, qxHi = 0f, xHi = 0f;
                for (int l = 0; l < 32; l++) {
                    int v = w[q + l] & 0xff;
                    int h = (w[o + 16 + l] & 0xff) >>> (2 * g);
                    float a = x[xo + l];
                    float c = x[xo + 32 + l];
                    qxLo += ((v & 0xF) | ((h & 1) << 4)) * a;
                    xLo += a;
                    qxHi += ((v >>> 4) | ((h & 2) << 3)) * c;
                    xHi += c;
                }
                sum += d * Q4_K.scale(w, o + 4, 2 * g) * qxLo - dmin * Q4_K.min(w, o + 4, 2 * g) * xLo;
                sum += d * Q4_K.scale(w, o + 4, 2 * g + 1) * qxHi - dmin * Q4_K.min(w, o + 4, 2 * g + 1) * xHi;
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
                int q = o + 48 + 32 * g;
                int yo = outOff + b * BLOCK_SIZE + 64 * g;
                float d1 = d * Q4_K.scale(w, o + 4, 2 * g);
                float m1 = dmin * Q4_K.min(w, o + 4, 2 * g);
                float d2 = d * Q4_K.scale(w, o + 4, 2 * g + 1);
                float m2 = dmin * Q4_K.min(w, o + 4, 2 * g + 1);
                for (int l = 0; l < 32; l++) {
                    int v = w[q + l] & 0xff;
                    int h = (w[o + 16 + l] & 0xff) >>> (2 * g);
                    out[yo + l] = d1 * ((v & 0xF) | ((h & 1) << 4)) - m1;
                    out[yo + 32 + l] = d2 * ((v >>> 4) | ((h & 2) << 3)) - m2;
                }
            }
        }
    }
}
