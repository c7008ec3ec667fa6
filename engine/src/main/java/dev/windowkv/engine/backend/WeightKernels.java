package dev.windowkv.engine.backend;

import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.kernels.quant.BF16;
import dev.windowkv.kernels.quant.F16;
import dev.windowkv.kernels.quant.F32;
import dev.windowkv.kernels.quant.Q4_0;
import dev.windowkv.kernels.quant.Q4_K;
import dev.windowkv.kernels.quant.Q5_K;
import dev.windowkv.kernels.quant.Q6_K;
import dev.windowkv.kernels.quant.Q8_0;

/** Picks the reference kernel of a weight type; the switch stays out of the kernels themselves. */
final class WeightKernels {
    private WeightKernels() {}

    static float dot(GGMLType t, byte[] w, int wOff, float[] x, int xOff, int n) {
        return switch (t) {
            case F32 -> F32.dot(w, wOff, x, xOff, n);
            case F16 -> F16.dot(w, wOff, x, xOff, n);
            case BF16 -> BF16.dot(w, wOff, x, xOff, n);
            case Q8_0 -> Q8_0.dot(w, wOff, x, xOff, n);
            case Q4_0 -> Q4_0.dot(w, wOff, x, xOff, n);
            case Q4_K -> Q4_K.dot(w, wOff, x, xOff, n);
            case Q5_K -> Q5_K.dot(w, wOff, x, xOff, n);
            case Q6_K -> Q6_K.dot(w, wOff, x, xOff, n);
            default -> throw new UnsupportedTypeException(t);
        };
    }

    static void dequantizeRow(GGMLType t, byte[] w, int wOff, float[] out, int outOff, int n) {
        switch (t) {
            case F32 -> F32.dequantizeRow(w, wOff, out, outOff, n);
            case F16 -> F16.dequantizeRow(w, wOff, out, outOff, n);
            case BF16 -> BF16.dequantizeRow(w, wOff, out, outOff, n);
            case Q8_0 -> Q8_0.dequantizeRow(w, wOff, out, outOff, n);
            case Q4_0 -> Q4_0.dequantizeRow(w, wOff, out, outOff, n);
            case Q4_K -> Q4_K.dequantizeRow(w, wOff, out, outOff, n);
            case Q5_K -> Q5_K.dequantizeRow(w, wOff, out, outOff, n);
            case Q6_K -> Q6_K.dequantizeRow(w, wOff, out, outOff, n);
            default -> throw new UnsupportedTypeException(t);
        }
    }
}
