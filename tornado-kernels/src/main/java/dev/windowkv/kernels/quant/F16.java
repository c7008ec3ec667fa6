package dev.windowkv.kernels.quant;

import dev.windowkv.kernels.Bytes;
import dev.windowkv.kernels.Half;

/** GGML_TYPE_F16: little-endian IEEE binary16, one value per 2 bytes. */
public final class F16 {
    private F16() {}

    public static final int BLOCK_SIZE = 1;
    public static final int TYPE_SIZE = 2;

    public static float dot(byte[] w, int wOff, float[] x, int xOff, int n) {
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            sum += Half.f16ToF32(Bytes.u16(w, wOff + 2 * i)) * x[xOff + i];
        }
        return sum;
    }

    public static void dequantizeRow(byte[] w, int wOff, float[] out, int outOff, int n) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = Half.f16ToF32(Bytes.u16(w, wOff + 2 * i));
        }
    }
}
