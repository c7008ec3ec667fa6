package dev.windowkv.kernels.quant;

import dev.windowkv.kernels.Bytes;
import dev.windowkv.kernels.Half;

/**
 * GGML_TYPE_Q6_K, ggml's block_q6_K: a super-block of 256 values in 210 bytes,
 * sixteen sub-blocks of 16 with a signed 8-bit scale each.
 * <pre>
 *   offset 0    u8   ql[128]     low 4 bits
 *   offset 128  u8   qh[64]      high 2 bits
 *   offset 192  i8   scales[16]  scale of value e is scales[e / 16]
 *   offset 208  f16  d           super-block scale
 * </pre>
 * Each half h of 128 values uses ql[64h..64h+64) and qh[32h..32h+32). For l &lt; 32 in that half:
 * value l takes ql[l] low nibble and qh[l] bits 0-1, value l+32 ql[l+32] low nibble and bits 2-3,
 * value l+64 ql[l] high nibble and bits 4-5, value l+96 ql[l+32] high nibble and bits 6-7.
 * Value = d * scale * (q - 32).
 */
public final class Q6_K {
    private Q6_K() {}

    public static final int BLOCK_SIZE = 256;
    public static final int TYPE_SIZE = 210;

    /** The 6-bit quant (0..63) of value {@code e} (0..255) of the block at {@code o}. */
    public static int quant(byte[] w, int o, int e) {
        int h = e >>> 7;
        int k = (e >>> 5) & 3;
        int l = e & 31;
        int lo = w[o + 64 * h + l + 32 * (k & 1)] & 0xff;
        int hi = w[o + 128 + 32 * h + l] & 0xff;
        return ((lo >>> (4 * (k >>> 1))) & 0xF) | (((hi >>> (2 * k)) & 3) << 4);
    }

    public static float dot(byte[] w, int wOff, float[] x, int xOff, int n) {
        float sum = 0f;
        for (int b = 0; b < n / BLOCK_SIZE; b++) {
            int o = wOff + b * TYPE_SIZE;
            float d = Half.f16ToF32(Bytes.u16(w, o + 208));
            for (int s = 0; s < 16; s++) {
                int xo = xOff + b * BLOCK_SIZE + 16 * s;
                float qx = 0f;
                for (int l = 0; l < 16; l++) {
                    qx += (quant(w, o, 16 * s + l) - 32) * x[xo + l];
                }
                sum += d * w[o + 192 + s] * qx;
            }
        }
        return sum;
    }

    public static void dequantizeRow(byte[] w, int wOff, float[] out, int outOff, int n) {
        for (int b = 0; b < n / BLOCK_SIZE; b++) {
            int o = wOff + b * TYPE_SIZE;
            float d = Half.f16ToF32(Bytes.u16(w, o + 208));
            for (int e = 0; e < BLOCK_SIZE; e++) {
                out[outOff + b * BLOCK_SIZE + e] = d * w[o + 192 + e / 16] * (quant(w, o, e) - 32);
            }
        }
    }
}
