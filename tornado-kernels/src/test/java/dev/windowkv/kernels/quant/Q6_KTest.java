package dev.windowkv.kernels.quant;

import static dev.windowkv.kernels.quant.Blocks.atOffset3;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class Q6_KTest {
    @Test
    void workedExample() {
        byte[] block = new byte[Q6_K.TYPE_SIZE];
        for (int s = 0; s < 15; s++) block[192 + s] = (byte) (s + 1);   // scales 1..15
        block[192 + 15] = -3;                                          // scales[15] = -3
        block[208] = 0x00; block[209] = 0x38;                          // d = 0.5
        block[0] = 0x5A;                   // ql[0]: low 10 -> value 0, high 5 -> value 64
        block[128] = (byte) 0xE4;          // qh[0] = 11 10 01 00: value 0 +0, 32 +16, 64 +32, 96 +48
        block[64 + 31] = (byte) 0xFF;      // second half ql[31]: value 128+31 low 15, 128+95 high 15
        block[128 + 32 + 31] = (byte) 0xFF; // second half qh[31]: all high bits 3 for 128+31, +63, +95, +127
        float[] expected = new float[256];
        // Every other value has quant 0, i.e. 0.5 * scale * (0 - 32) = -16 * scales[e / 16].
        for (int e = 0; e < 256; e++) expected[e] = -16f * (e / 16 == 15 ? -3 : e / 16 + 1);
        expected[0] = -11f;        // 0.5 * 1 * (10 - 32)
        expected[32] = -24f;       // 0.5 * 3 * (16 - 32)
        expected[64] = 12.5f;      // 0.5 * 5 * (37 - 32)
        expected[96] = 56f;        // 0.5 * 7 * (48 - 32)
        expected[128 + 31] = 155f; // 0.5 * 10 * (63 - 32)
        expected[128 + 63] = 96f;  // 0.5 * 12 * (48 - 32)
        expected[128 + 95] = 217f; // 0.5 * 14 * (63 - 32)
        expected[128 + 127] = -24f; // 0.5 * -3 * (48 - 32)

        byte[] w = atOffset3(block);
        float[] out = new float[256];
        Q6_K.dequantizeRow(w, 3, out, 0, 256);
        assertArrayEquals(expected, out);
        assertEquals(Blocks.sum(expected), Q6_K.dot(w, 3, Blocks.ones(256), 0, 256), 1e-3f);
    }
}
