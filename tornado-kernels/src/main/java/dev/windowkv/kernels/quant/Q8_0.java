package dev.windowkv.kernels.quant;

import dev.windowkv.kernels.Bytes;
import dev.windowkv.kernels.Half;

/**
 * GGML_TYPE_Q8_0, ggml's block_q8_0: 32 values in 34 bytes.
 * <pre>
 *   offset 0   f16  d       scale
 *   offset 2   i8   qs[32]  value j = qs[j] * d
 * </pre>
 */
public final class Q8_0 {
    private Q8_0() {}

    public static final int BLOCK_SIZE = 32;
    public static final int TYPE_SIZE = 34;

    public static float dot(byte[] w, int wOff, float[] x, int xOff, int n) {
        float sum = 0f;
        for (int b = 0; b < n / BLOCK_SIZE; b++) {
            int o = wOff + b * TYPE_SIZE;
            int xo = xOff + b * BLOCK_SIZE;
            float s = 0f;
            for (int j = 0; j < BLOCK_SIZE; j++) {
                s += w[o + 2 + j] * x[xo + j];
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
            for (int j = 0; j < BLOCK_SIZE; j++) {
                out[yo + j] = w[o + 2 + j] * d;
            }
        }
    }
}
