package dev.windowkv.kernels.quant;

import dev.windowkv.kernels.Bytes;
import dev.windowkv.kernels.Half;
import dev.windowkv.kernels.KMath;

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

    /**
     * Quantizes the 32 values at {@code x[xOff]} into one block at {@code out[oOff]}, exactly as
     * llama.cpp's {@code quantize_row_q4_0_ref}. The scale is set by the value of largest magnitude,
     * signed, so that it lands exactly on -8. The weights' {@code Quantize} and the Q4_0 KV cache
     * both use it; it runs on the host only, for its f16 rounding of d ({@code Half.f32ToF16}).
     */
    public static void quantizeBlock(float[] x, int xOff, byte[] out, int oOff) {
        float amax = 0f, max = 0f;
        for (int j = 0; j < BLOCK_SIZE; j++) {
            if (amax < KMath.abs(x[xOff + j])) {
                amax = KMath.abs(x[xOff + j]);
                max = x[xOff + j];
            }
        }
        float d = max / -8;
        float id = d != 0f ? 1.0f / d : 0f;
        short h = Half.f32ToF16(d);
        out[oOff] = (byte) h;
        out[oOff + 1] = (byte) (h >> 8);
        for (int j = 0; j < 16; j++) {
            // (int) truncates like C's (int8_t) cast; + 8.5f then truncation is llama.cpp's rounding.
            int lo = KMath.min(15, (int) (x[xOff + j] * id + 8.5f));
            int hi = KMath.min(15, (int) (x[xOff + 16 + j] * id + 8.5f));
            out[oOff + 2 + j] = (byte) (lo | (hi << 4));
        }
    }
}
