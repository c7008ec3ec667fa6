package dev.windowkv.kernels.quant;

import static dev.windowkv.kernels.quant.Blocks.atOffset3;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class Q5_KTest {
    @Test
    void workedExample() {
        byte[] block = new byte[Q5_K.TYPE_SIZE];
        // Same d, dmin and packed scales/mins as the Q4_K example.
        System.arraycopy(Q4_KTest.HEADER, 0, block, 0, 16);
        block[16] = (byte) 0x81;          // qh[0]: bit 0 -> value 0 gets +16, bit 7 -> value 224 gets +16
        block[16 + 5] = 0x04;             // qh[5]: bit 2 -> value 64 + 5 gets +16
        block[48] = 0x21;                 // qs[0]:  low 1 -> value 0, high 2 -> value 32
        block[48 + 96] = (byte) 0xF3;     // qs[96]: low 3 -> value 192, high 15 -> value 224
        float[] expected = new float[256];
        float[] zeroOf = {0f, -0.5f, -1f, -1.5f, -2f, -2.5f, -16.5f, -20f};
        for (int i = 0; i < 256; i++) expected[i] = zeroOf[i / 32];
        expected[0] = 17f;       // 1 * 1 * (1 + 16) - 0.5 * 0
        expected[32] = 3.5f;     // 1 * 2 * 2 - 0.5 * 1
        expected[69] = 47f;      // 1 * 3 * (0 + 16) - 0.5 * 2
        expected[192] = 34.5f;   // 1 * 17 * 3 - 0.5 * 33
        expected[224] = 1933f;   // 1 * 63 * (15 + 16) - 0.5 * 40

        byte[] w = atOffset3(block);
        float[] out = new float[256];
        Q5_K.dequantizeRow(w, 3, out, 0, 256);
        assertArrayEquals(expected, out);
        assertEquals(Blocks.sum(expected), Q5_K.dot(w, 3, Blocks.ones(256), 0, 256), 1e-3f);
    }
}
