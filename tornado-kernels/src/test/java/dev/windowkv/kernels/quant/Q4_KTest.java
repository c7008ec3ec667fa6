package dev.windowkv.kernels.quant;

import static dev.windowkv.kernels.quant.Blocks.atOffset3;
import static dev.windowkv.kernels.quant.Blocks.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class Q4_KTest {
    /**
     * d = 1, dmin = 0.5; sub-block scales {1,2,3,4,5,6,17,63} and mins {0,1,2,3,4,5,33,40}, packed:
     * bytes 0-3 = scale | (scale[4+i] >> 4) << 6, bytes 4-7 = min | (min[4+i] >> 4) << 6,
     * bytes 8-11 = (scale[4+i] &amp; 15) | (min[4+i] &amp; 15) << 4.
     */
    static final byte[] HEADER = bytes(
            0x00, 0x3C, 0x00, 0x38,
            0x01, 0x02, 0x43, 0xC4,
            0x00, 0x01, 0x82, 0x83,
            0x45, 0x56, 0x11, 0x8F);
    static final int[] SCALES = {1, 2, 3, 4, 5, 6, 17, 63};
    static final int[] MINS = {0, 1, 2, 3, 4, 5, 33, 40};

    @Test
    void unpacksSixBitScalesAndMins() {
        byte[] w = atOffset3(HEADER);
        for (int j = 0; j < 8; j++) {
            assertEquals(SCALES[j], Q4_K.scale(w, 3 + 4, j), "scale " + j);
            assertEquals(MINS[j], Q4_K.min(w, 3 + 4, j), "min " + j);
        }
    }

    @Test
    void workedExample() {
        byte[] block = new byte[Q4_K.TYPE_SIZE];
        System.arraycopy(HEADER, 0, block, 0, 16);
        block[16] = 0x21;                 // qs[0]:  low 1 -> value 0, high 2 -> value 32
        block[16 + 96] = (byte) 0xF3;     // qs[96]: low 3 -> value 192, high 15 -> value 224
        float[] expected = new float[256];
        // Every other value is quant 0, i.e. -dmin * min of its sub-block.
        float[] zeroOf = {0f, -0.5f, -1f, -1.5f, -2f, -2.5f, -16.5f, -20f};
        for (int i = 0; i < 256; i++) expected[i] = zeroOf[i / 32];
        expected[0] = 1f;        // 1 * 1 * 1  - 0.5 * 0
        expected[32] = 3.5f;     // 1 * 2 * 2  - 0.5 * 1
        expected[192] = 34.5f;   // 1 * 17 * 3 - 0.5 * 33
        expected[224] = 925f;    // 1 * 63 * 15 - 0.5 * 40

        byte[] w = atOffset3(block);
        float[] out = new float[256];
        Q4_K.dequantizeRow(w, 3, out, 0, 256);
        assertArrayEquals(expected, out);
        assertEquals(Blocks.sum(expected), Q4_K.dot(w, 3, Blocks.ones(256), 0, 256), 1e-3f);
    }
}
