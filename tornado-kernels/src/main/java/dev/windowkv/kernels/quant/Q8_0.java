package dev.windowkv.kernels.quant;

import dev.windowkv.kernels.Bytes;
import dev.windowkv.kernels.Half;
import dev.windowkv.kernels.KMath;

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

    /**
     * Quantizes the 32 values at {@code x[xOff]} into one block at {@code out[oOff]}, exactly as
     * llama.cpp's {@code quantize_row_q8_0_ref}: d = amax / 127, q = round(x / d) with halves away
     * from zero (C's roundf). The weights' {@code Quantize} and the Q8_0 KV cache both use it; it
     * runs on the host only, for its f16 rounding of d ({@code Half.f32ToF16}).
     */
    public static void quantizeBlock(float[] x, int xOff, byte[] out, int oOff) {
        float amax = 0f;
        for (int j = 0; j < BLOCK_SIZE; j++) amax = KMath.max(amax, KMath.abs(x[xOff + j]));
        float d = amax / 127;
        float id = d != 0f ? 1.0f / d : 0f;
        short h = Half.f32ToF16(d);
        out[oOff] = (byte) h;
        out[oOff + 1] = (byte) (h >> 8);
        for (int j = 0; j < BLOCK_SIZE; j++) {
            // In double, so that adding the half cannot round up (0.49999997f + 0.5f is 1 in float).
            double a = x[xOff + j] * id;
            int q = a < 0 ? -(int) (0.5 - a) : (int) (a + 0.5);
            out[oOff + 2 + j] = (byte) q;
        }
    }
}
