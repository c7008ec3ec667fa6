package dev.windowkv.kernels.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class Q4_0NibblesTest {
    @Test
    void dotAndValuesHaveQ4_0sBits() {
        Random rnd = new Random(4);
        int cols = 128, rows = 5;
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian();
        byte[] w = new byte[rows * cols / Q4_0.BLOCK_SIZE * Q4_0.TYPE_SIZE];
        for (int b = 0; b < v.length / Q4_0.BLOCK_SIZE; b++) Q4_0.quantizeBlock(v, b * 32, w, b * Q4_0.TYPE_SIZE);
        float[] x = new float[cols];
        for (int i = 0; i < cols; i++) x[i] = (float) rnd.nextGaussian();
        int rowBytes = cols / Q4_0.BLOCK_SIZE * Q4_0.TYPE_SIZE;
        float[] row = new float[cols];
        for (int r = 0; r < rows; r++) {
            assertEquals(Float.floatToRawIntBits(Q4_0.dot(w, r * rowBytes, x, 0, cols)),
                    Float.floatToRawIntBits(Q4_0Nibbles.dot(w, r * rowBytes, x, 0, cols)), "row " + r);
            Q4_0.dequantizeRow(w, r * rowBytes, row, 0, cols);
            for (int j = 0; j < cols; j++) {
                int o = r * rowBytes + j / 32 * Q4_0.TYPE_SIZE;
                float d = dev.windowkv.kernels.Half.f16ToF32(dev.windowkv.kernels.Bytes.u16(w, o));
                assertEquals(row[j], Q4_0Nibbles.value(w, o, j % 32, d), "value " + r + "," + j);
            }
        }
    }
}
