package dev.windowkv.kernels.tile;

import dev.windowkv.kernels.Bytes;
import dev.windowkv.kernels.Half;
import dev.windowkv.kernels.KMath;
import dev.windowkv.kernels.quant.F16;
import dev.windowkv.kernels.quant.Q4_0;
import dev.windowkv.kernels.quant.Q4_0Nibbles;
import dev.windowkv.kernels.quant.Q8_0;

/**
 * The steps of the fused decode kernels, which do between two global synchronisations what the
 * decode layer did in several launches: RMSNorm + Q/K/V + RoPE + cache append in one, RMSNorm +
 * gate/up + SwiGLU in another. Each work-group recomputes the norm's scale of the one token
 * (a reduction over {@code dim} values, in the kernel), and each row's dot product reads the normed
 * activation {@code (x[j] · scale) · norm[j]} on the fly: the same float as {@code RmsNorm.token}
 * writes, so given the scale, the dot products have the unfused path's bits.
 *
 * <p>Weights are GGUF blocks ({@code byte[]}) of one type per kernel, named by {@link #Q8_0},
 * {@link #Q4_0} or {@link #F16}; an F32 model keeps the unfused tasks.
 */
public final class FusedDecode {
    private FusedDecode() {}

    public static final int Q8_0 = 0;
    public static final int Q4_0 = 1;
    public static final int F16 = 2;

    /** Threads per work-group: a power of two for the norm's tree reduction. */
    public static final int THREADS = 64;

    /** Bytes of one row of {@code cols} values of a weight of type {@code type}. */
    public static int rowBytes(int type, int cols) {
        if (type == Q8_0) {
            return cols / dev.windowkv.kernels.quant.Q8_0.BLOCK_SIZE * dev.windowkv.kernels.quant.Q8_0.TYPE_SIZE;
        }
        if (type == Q4_0) {
            return cols / dev.windowkv.kernels.quant.Q4_0.BLOCK_SIZE * dev.windowkv.kernels.quant.Q4_0.TYPE_SIZE;
        }
        return cols * dev.windowkv.kernels.quant.F16.TYPE_SIZE;
    }

    /** The norm's scale {@code 1 / sqrt(ss / dim + eps)} from the sum of squares, as {@code RmsNorm.token}. */
    public static float normScale(float ss, int dim, float eps) {
        return 1f / KMath.sqrt(ss / dim + eps);
    }

    /** W[row] · RMSNorm(x): {@code Q8_0.dot}, {@code Q4_0.dot} or {@code F16.dot} over the normed x. */
    public static float normedDot(int type, byte[] w, int row, int cols, float[] x, float scale, float[] norm) {
        int off = row * rowBytes(type, cols);
        if (type == Q8_0) {
            return q8_0(w, off, x, scale, norm, cols);
        }
        if (type == Q4_0) {
            return q4_0(w, off, x, scale, norm, cols);
        }
        return f16(w, off, x, scale, norm, cols);
    }

    private static float q8_0(byte[] w, int wOff, float[] x, float scale, float[] norm, int n) {
        float sum = 0f;
        for (int b = 0; b < n / dev.windowkv.kernels.quant.Q8_0.BLOCK_SIZE; b++) {
            int o = wOff + b * dev.windowkv.kernels.quant.Q8_0.TYPE_SIZE;
            int xo = b * dev.windowkv.kernels.quant.Q8_0.BLOCK_SIZE;
            float s = 0f;
            for (int j = 0; j < dev.windowkv.kernels.quant.Q8_0.BLOCK_SIZE; j++) {
                s += w[o + 2 + j] * (x[xo + j] * scale * norm[xo + j]);
            }
            sum += Half.f16ToF32(Bytes.u16(w, o)) * s;
        }
        return sum;
    }

    private static float q4_0(byte[] w, int wOff, float[] x, float scale, float[] norm, int n) {
        float sum = 0f;
        for (int b = 0; b < n / dev.windowkv.kernels.quant.Q4_0.BLOCK_SIZE; b++) {
            int o = wOff + b * dev.windowkv.kernels.quant.Q4_0.TYPE_SIZE;
            int xo = b * dev.windowkv.kernels.quant.Q4_0.BLOCK_SIZE;
            float s = 0f;
            for (int j = 0; j < 16; j++) {
                int q = Bytes.u8(w, o + 2 + j);
                s += ((q & 0xF) - 8) * (x[xo + j] * scale * norm[xo + j])
                        + ((q >>> 4) - 8) * (x[xo + 16 + j] * scale * norm[xo + 16 + j]);
            }
            sum += Half.f16ToF32(Bytes.u16(w, o)) * s;
        }
        return sum;
    }

    private static float f16(byte[] w, int wOff, float[] x, float scale, float[] norm, int n) {
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            sum += Half.f16ToF32(Bytes.u16(w, wOff + 2 * i)) * (x[i] * scale * norm[i]);
        }
        return sum;
    }

    /** Row of the first value of RoPE pair {@code i} of a head at {@code headOff}: NORM pairs neighbours, NEOX halves. */
    public static int pairFirst(int headOff, int i, int headDim, int neox) {
        return neox == 1 ? headOff + i : headOff + 2 * i;
    }

    /** Row of the second value of the pair. */
    public static int pairSecond(int headOff, int i, int headDim, int neox) {
        return neox == 1 ? headOff + i + headDim / 2 : headOff + 2 * i + 1;
    }

    /** The rotated first value of pair {@code i} at {@code pos}, as {@code Rope.norm}/{@code neox}. */
    public static float rotatedFirst(float a, float b, int pos, float invFreq) {
        float theta = pos * invFreq;
        return a * KMath.cos(theta) - b * KMath.sin(theta);
    }

    /** The rotated second value. */
    public static float rotatedSecond(float a, float b, int pos, float invFreq) {
        float theta = pos * invFreq;
        return a * KMath.sin(theta) + b * KMath.cos(theta);
    }

    /** silu(gate) · up, as {@code SwiGlu.row}. */
    public static float swiglu(float gate, float up) {
        return gate / (1f + KMath.exp(-gate)) * up;
    }
}
