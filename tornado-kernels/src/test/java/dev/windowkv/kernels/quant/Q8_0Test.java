package dev.windowkv.kernels.quant;

import static dev.windowkv.kernels.quant.Blocks.atOffset3;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class Q8_0Test {
    @Test
    void workedExample() {
        byte[] block = new byte[Q8_0.TYPE_SIZE];
        block[0] = 0x00; block[1] = 0x38;          // d = 0.5 (f16 0x3800)
        block[2] = 1;                              // qs[0]
        block[3] = -1;                             // qs[1]
        block[4] = 127;                            // qs[2]
        block[5] = -128;                           // qs[3]
        block[2 + 31] = 10;                        // qs[31]
        float[] expected = new float[32];
        expected[0] = 0.5f; expected[1] = -0.5f; expected[2] = 63.5f; expected[3] = -64f; expected[31] = 5f;

        byte[] w = atOffset3(block);
        float[] out = new float[32];
        Q8_0.dequantizeRow(w, 3, out, 0, 32);
        assertArrayEquals(expected, out);
        assertEquals(4.5f, Q8_0.dot(w, 3, Blocks.ones(32), 0, 32));
    }
}
