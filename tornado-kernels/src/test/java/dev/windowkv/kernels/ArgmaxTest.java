package dev.windowkv.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The two-pass argmax is the left-to-right scan: the first index of the largest value. */
class ArgmaxTest {
    private static int scan(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
        return best;
    }

    private static int twoPass(float[] x) {
        int blocks = Argmax.blocks(x.length);
        int[] index = new int[blocks];
        float[] value = new float[blocks];
        for (int b = 0; b < blocks; b++) Argmax.block(x, x.length, b, index, value);
        return Argmax.ofBlocks(index, value, blocks);
    }

    @Test
    void agreesWithTheScanOnRandomLogitsOfEveryLengthAroundABlock() {
        Random r = new Random(3);
        for (int n : new int[] {1, 2, 255, 256, 257, 511, 3858, 128_256}) {
            for (int trial = 0; trial < 20; trial++) {
                float[] x = new float[n];
                for (int i = 0; i < n; i++) x[i] = (float) r.nextGaussian() * 4;
                assertEquals(scan(x), twoPass(x), "n " + n);
            }
        }
    }

    /** Ties within a block and across blocks go to the lowest index, as in Sampler.argmax. */
    @Test
    void theLowestIndexWinsATie() {
        float[] x = new float[3858];
        x[700] = 5;
        x[300] = 5;
        x[301] = 5;
        x[3000] = 5;
        assertEquals(300, twoPass(x));
        float[] flat = new float[1000];
        assertEquals(0, twoPass(flat));
    }
}
