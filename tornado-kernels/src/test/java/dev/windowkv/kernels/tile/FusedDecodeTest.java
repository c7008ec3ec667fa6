package dev.windowkv.kernels.tile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.windowkv.kernels.Half;
import dev.windowkv.kernels.RmsNorm;
import dev.windowkv.kernels.Rope;
import dev.windowkv.kernels.quant.F16;
import dev.windowkv.kernels.quant.Q4_0;
import dev.windowkv.kernels.quant.Q8_0;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Given the norm's scale, a fused row is the unfused one to the bit: the normed activation is the
 * float RmsNorm writes, and the dot product is the type's own. RoPE's pairs and rotation are Rope's.
 */
class FusedDecodeTest {
    private static final Random RND = new Random(10);

    @Test
    void normedDotHasTheBitsOfTheDotOverTheNormedActivation() {
        int cols = 64, rows = 3;
        float[] v = new float[rows * cols], x = new float[cols], norm = new float[cols];
        for (int i = 0; i < v.length; i++) v[i] = (float) RND.nextGaussian();
        for (int i = 0; i < cols; i++) {
            x[i] = (float) RND.nextGaussian();
            norm[i] = (float) RND.nextGaussian();
        }
        float ss = 0f;
        for (float f : x) ss += f * f;
        float scale = FusedDecode.normScale(ss, cols, 1e-5f);
        float[] xb = new float[cols];
        RmsNorm.token(xb, 0, x, 0, norm, cols, 1e-5f);
        byte[] q8 = new byte[rows * FusedDecode.rowBytes(FusedDecode.Q8_0, cols)];
        byte[] q4 = new byte[rows * FusedDecode.rowBytes(FusedDecode.Q4_0, cols)];
        byte[] f16 = new byte[rows * FusedDecode.rowBytes(FusedDecode.F16, cols)];
        for (int b = 0; b < v.length / 32; b++) {
            Q8_0.quantizeBlock(v, 32 * b, q8, b * Q8_0.TYPE_SIZE);
            Q4_0.quantizeBlock(v, 32 * b, q4, b * Q4_0.TYPE_SIZE);
        }
        for (int i = 0; i < v.length; i++) {
            short h = Half.f32ToF16(v[i]);
            f16[2 * i] = (byte) h;
            f16[2 * i + 1] = (byte) (h >> 8);
        }
        for (int r = 0; r < rows; r++) {
            assertEquals(Q8_0.dot(q8, r * 68, xb, 0, cols), FusedDecode.normedDot(FusedDecode.Q8_0, q8, r, cols, x, scale, norm));
            assertEquals(Q4_0.dot(q4, r * 36, xb, 0, cols), FusedDecode.normedDot(FusedDecode.Q4_0, q4, r, cols, x, scale, norm));
            assertEquals(F16.dot(f16, r * 128, xb, 0, cols), FusedDecode.normedDot(FusedDecode.F16, f16, r, cols, x, scale, norm));
        }
    }

    @Test
    void ropePairsAndRotationAreRopes() {
        int headDim = 8, pos = 5;
        float[] invFreq = {1f, 0.1f, 0.01f, 0.001f};
        for (int neox = 0; neox <= 1; neox++) {
            float[] x = new float[2 * headDim];
            for (int i = 0; i < x.length; i++) x[i] = (float) RND.nextGaussian();
            float[] expected = x.clone();
            if (neox == 1) Rope.neox(expected, headDim, headDim, pos, invFreq);
            else Rope.norm(expected, headDim, headDim, pos, invFreq);
            for (int i = 0; i < headDim / 2; i++) {
                int a = FusedDecode.pairFirst(headDim, i, headDim, neox), b = FusedDecode.pairSecond(headDim, i, headDim, neox);
                assertEquals(expected[a], FusedDecode.rotatedFirst(x[a], x[b], pos, invFreq[i]), "neox " + neox + " pair " + i);
                assertEquals(expected[b], FusedDecode.rotatedSecond(x[a], x[b], pos, invFreq[i]), "neox " + neox + " pair " + i);
            }
        }
    }
}
