package dev.windowkv.kernels.quant;

import dev.windowkv.kernels.Bytes;

/** GGML_TYPE_F32: little-endian IEEE binary32, one value per 4 bytes. */
public final class F32 {
    private F32() {}

    public static final int BLOCK_SIZE = 1;
    public static final int TYPE_SIZE = 4;

    public static float dot(byte[] w, int wOff, float[] x, int xOff, int n) {
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            sum += Bytes.f32(w, wOff + 4 * i) * x[xOff + i];
        }
        return sum;
    }

    /**
     * {@link #dot} over a row already decoded to floats ({@link #dequantizeRow}): the layout F32
     * weights take on a TornadoVM device, whose OpenCL backend cannot reinterpret bits
     * ({@code Float.intBitsToFloat}). Same products in the same order, so the same bits as {@link #dot}.
     */
    public static float dotDecoded(float[] w, int wOff, float[] x, int xOff, int n) {
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            sum += w[wOff + i] * x[xOff + i];
        }
        return sum;
    }

    public static void dequantizeRow(byte[] w, int wOff, float[] out, int outOff, int n) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = Bytes.f32(w, wOff + 4 * i);
        }
    }
}
