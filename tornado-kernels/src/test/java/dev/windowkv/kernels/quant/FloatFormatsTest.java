package dev.windowkv.kernels.quant;

import static dev.windowkv.kernels.quant.Blocks.atOffset3;
import static dev.windowkv.kernels.quant.Blocks.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class FloatFormatsTest {
    private static final float[] X = {1f, 2f, -1f};

    @Test
    void f32() {
        byte[] w = atOffset3(bytes(0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x40, 0x40));
        float[] out = new float[4];
        F32.dequantizeRow(w, 3, out, 1, 3);
        assertArrayEquals(new float[] {0f, 1f, -2f, 3f}, out);
        assertEquals(1f - 4f - 3f, F32.dot(w, 3, X, 0, 3));
    }

    @Test
    void f32DotOverDecodedFloatsHasTheSameBits() {
        java.util.Random rnd = new java.util.Random(5);
        int n = 301;
        float[] values = new float[n + 7];
        float[] x = new float[n];
        for (int i = 0; i < values.length; i++) values[i] = (float) rnd.nextGaussian();
        for (int i = 0; i < n; i++) x[i] = (float) rnd.nextGaussian();
        byte[] w = new byte[4 * values.length];
        java.nio.ByteBuffer.wrap(w).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(values);
        float[] decoded = new float[values.length];
        F32.dequantizeRow(w, 0, decoded, 0, values.length);
        assertEquals(Float.floatToRawIntBits(F32.dot(w, 4 * 7, x, 0, n)),
                Float.floatToRawIntBits(F32.dotDecoded(decoded, 7, x, 0, n)));
    }

    @Test
    void f16() {
        byte[] w = atOffset3(bytes(0x00, 0x3C, 0x00, 0xC0, 0x00, 0x42, 0x01, 0x00));
        float[] out = new float[4];
        F16.dequantizeRow(w, 3, out, 0, 4);
        assertArrayEquals(new float[] {1f, -2f, 3f, 0x1p-24f}, out);
        assertEquals(1f - 4f - 3f, F16.dot(w, 3, X, 0, 3));
    }

    @Test
    void bf16() {
        byte[] w = atOffset3(bytes(0x80, 0x3F, 0x00, 0xC0, 0x40, 0x40));
        float[] out = new float[3];
        BF16.dequantizeRow(w, 3, out, 0, 3);
        assertArrayEquals(new float[] {1f, -2f, 3f}, out);
        assertEquals(1f - 4f - 3f, BF16.dot(w, 3, X, 0, 3));
    }
}
