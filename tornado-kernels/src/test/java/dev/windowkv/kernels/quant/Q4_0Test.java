package dev.windowkv.kernels.quant;

import static dev.windowkv.kernels.quant.Blocks.atOffset3;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class Q4_0Test {
    @Test
    void workedExample() {
        byte[] block = new byte[Q4_0.TYPE_SIZE];
        block[0] = 0x00; block[1] = 0x40;          // d = 2.0 (f16 0x4000)
        Arrays.fill(block, 2, 18, (byte) 0x88);    // nibbles 8 -> value 0
        block[2] = (byte) 0x9F;                    // qs[0]: low 15 -> value 0 = 14, high 9 -> value 16 = 2
        block[3] = 0x08;                           // qs[1]: low 8 -> value 1 = 0,   high 0 -> value 17 = -16
        block[17] = (byte) 0x7A;                   // qs[15]: low 10 -> value 15 = 4, high 7 -> value 31 = -2
        float[] expected = new float[32];
        expected[0] = 14f; expected[16] = 2f;
        expected[1] = 0f; expected[17] = -16f;
        expected[15] = 4f; expected[31] = -2f;

        byte[] w = atOffset3(block);
        float[] out = new float[32];
        Q4_0.dequantizeRow(w, 3, out, 0, 32);
        assertArrayEquals(expected, out);
        assertEquals(2f, Q4_0.dot(w, 3, Blocks.ones(32), 0, 32));
    }
}
