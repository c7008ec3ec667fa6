package dev.windowkv.kernels.quant;

import dev.windowkv.kernels.Bytes;
import dev.windowkv.kernels.Half;

/**
 * GGML_TYPE_Q4_0, ggml's block_q4_0: 32 values in 18 bytes.
 * <pre>
 *   offset 0   f16  d       scale
 *   offset 2   u8   qs[16]  value j      = ((qs[j] &amp; 0xF) - 8) * d   (j &lt; 16)
 *                           value j + 16 = ((qs[j] &gt;&gt; 4)  - 8) * d
 * </pre>
 * Low nibbles hold the first half of the block, high nibbles the second half (not interleaved).
 */
public final class Q4_0 {
    private Q4_0() {}

    public static final int BLOCK_SIZE = 32;
    public static final int TYPE_SIZE = 18;

    public static float dot(byte[] w, int wOff, float[] x, int xOff, int n) {
        float sum = 0f;
        for (int b = 0; b < n / BLOCK_SIZE; b++) {
            int o = wOff + b * TYPE_SIZE;
            int xo = xOff + b * BLOCK_SIZE;
            float s = 0f;
            for (int j = 0; j < 16; j++) {
                int q = w[o + 2 + j] & 0xff;
                s += ((q & 0xF) - 8) * x[xo + j] + ((q >>> 4) - 8) * x[xo + 16 + j];
            }
            sum += Half.f16ToF32(Bytes.u16(w, o)) * s;
        }
        return sum;
    }

    public static void dequantizeRow(byte[] w, int wOff, float[] out, int outOff, int n) {
        for (int b = 0; b < n / BLOCK_SIZE; b++) {
            int o = wOff + b * TYPE_SIZE;
            int yo = outOff + b * BLOCK_SIZE;
            float d = Half.f16ToF32(Bytes.u16(w, o));
            for (int j = 0; j < 16; j++) {
                int q = w[o + 2 + j] & 0xff;
                out[yo + j] = ((q & 0xF) - 8) * d;
                out[yo + 16 + j] = ((q >>> 4) - 8) * d;
            }
        }
    }
}
