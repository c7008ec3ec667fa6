package dev.windowkv.engine.backend.simd;

import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.kernels.Half;
import dev.windowkv.kernels.quant.BF16;
import dev.windowkv.kernels.quant.F16;
import dev.windowkv.kernels.quant.F32;
import dev.windowkv.kernels.quant.Q4_0;
import dev.windowkv.kernels.quant.Q4_K;
import dev.windowkv.kernels.quant.Q5_K;
import dev.windowkv.kernels.quant.Q6_K;
import dev.windowkv.kernels.quant.Q8_0;
import java.util.SplittableRandom;

/**
 * Random but valid weight rows: every quant bit is random, every scale is a finite f16 of modest size,
 * so a layout mistake anywhere shows up as a mismatch.
 */
final class RandomBlocks {
    private RandomBlocks() {}

    static byte[] rows(GGMLType t, int rows, int n, SplittableRandom rnd) {
        int valuesPerRow = n;
        byte[] w = new byte[(int) t.byteSize((long) rows * valuesPerRow)];
        rnd.nextBytes(w);
        int blocks = rows * n / t.blockSize;
        for (int b = 0; b < blocks; b++) {
            int o = b * t.typeSize;
            switch (t) {
                case F32 -> putF32(w, o, (float) rnd.nextGaussian());
                case F16 -> putI16(w, o, Half.f32ToF16((float) rnd.nextGaussian()));
                case BF16 -> putI16(w, o, Half.f32ToBf16((float) rnd.nextGaussian()));
                case Q8_0, Q4_0 -> putI16(w, o, scale(rnd));
                case Q4_K, Q5_K -> {
                    putI16(w, o, scale(rnd));
                    putI16(w, o + 2, scale(rnd));
                }
                case Q6_K -> putI16(w, o + 208, scale(rnd));
                default -> throw new IllegalArgumentException(t.toString());
            }
        }
        return w;
    }

    static float[] activations(int len, SplittableRandom rnd) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) x[i] = (float) rnd.nextGaussian();
        return x;
    }

    /** A finite f16 scale of either sign, magnitude between 2^-12 and 2^-2. */
    private static short scale(SplittableRandom rnd) {
        float m = (float) Math.pow(2, rnd.nextDouble(-12, -2));
        return Half.f32ToF16(rnd.nextBoolean() ? m : -m);
    }

    static void scalarDequantizeRow(GGMLType t, byte[] w, int off, float[] out, int outOff, int n) {
        switch (t) {
            case F32 -> F32.dequantizeRow(w, off, out, outOff, n);
            case F16 -> F16.dequantizeRow(w, off, out, outOff, n);
            case BF16 -> BF16.dequantizeRow(w, off, out, outOff, n);
            case Q8_0 -> Q8_0.dequantizeRow(w, off, out, outOff, n);
            case Q4_0 -> Q4_0.dequantizeRow(w, off, out, outOff, n);
            case Q4_K -> Q4_K.dequantizeRow(w, off, out, outOff, n);
            case Q5_K -> Q5_K.dequantizeRow(w, off, out, outOff, n);
            case Q6_K -> Q6_K.dequantizeRow(w, off, out, outOff, n);
            default -> throw new IllegalArgumentException(t.toString());
        }
    }

    static float scalarDot(GGMLType t, byte[] w, int off, float[] x, int xOff, int n) {
        return switch (t) {
            case F32 -> F32.dot(w, off, x, xOff, n);
            case F16 -> F16.dot(w, off, x, xOff, n);
            case BF16 -> BF16.dot(w, off, x, xOff, n);
            case Q8_0 -> Q8_0.dot(w, off, x, xOff, n);
            case Q4_0 -> Q4_0.dot(w, off, x, xOff, n);
            case Q4_K -> Q4_K.dot(w, off, x, xOff, n);
            case Q5_K -> Q5_K.dot(w, off, x, xOff, n);
            case Q6_K -> Q6_K.dot(w, off, x, xOff, n);
            default -> throw new IllegalArgumentException(t.toString());
        };
    }

    private static void putI16(byte[] b, int off, short v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >> 8);
    }

    private static void putF32(byte[] b, int off, float f) {
        int v = Float.floatToRawIntBits(f);
        putI16(b, off, (short) v);
        putI16(b, off + 2, (short) (v >>> 16));
    }
}
