package dev.windowkv.engine.backend.tornado;

import dev.windowkv.kernels.quant.F16;
import dev.windowkv.kernels.quant.F32;
import dev.windowkv.kernels.quant.Q8_0;
import uk.ac.manchester.tornado.api.annotations.Parallel;

/**
 * The TornadoVM matmul tasks: one {@code @Parallel} loop over (token, row) work items, each the
 * same {@code tornado-kernels} dot product the Java backends call. No math lives here. The
 * {@code Residual} forms add the product into {@code acc} (the transformer's residual stream), the
 * same float addition the host does after a plain matmul.
 */
final class MatmulKernels {
    private MatmulKernels() {}

    /** out[t][r] = W[r] · x[t] for a Q8_0 weight of {@code rows} rows, {@code rowBytes} bytes apart. */
    static void q8_0(byte[] w, float[] x, float[] out, int rows, int cols, int rowBytes, int nTokens) {
        for (@Parallel int i = 0; i < rows * nTokens; i++) {
            int t = i / rows;
            int r = i % rows;
            out[i] = Q8_0.dot(w, r * rowBytes, x, t * cols, cols);
        }
    }

    /** out[t][r] = W[r] · x[t] for an F16 weight. */
    static void f16(byte[] w, float[] x, float[] out, int rows, int cols, int rowBytes, int nTokens) {
        for (@Parallel int i = 0; i < rows * nTokens; i++) {
            int t = i / rows;
            int r = i % rows;
            out[i] = F16.dot(w, r * rowBytes, x, t * cols, cols);
        }
    }

    /** out[t][r] = W[r] · x[t] for an F32 weight decoded to floats ({@code cols} apart). */
    static void f32(float[] w, float[] x, float[] out, int rows, int cols, int rowBytes, int nTokens) {
        for (@Parallel int i = 0; i < rows * nTokens; i++) {
            int t = i / rows;
            int r = i % rows;
            out[i] = F32.dotDecoded(w, r * cols, x, t * cols, cols);
        }
    }

    /** acc[r] += W[r] · x, one token, Q8_0. */
    static void q8_0Residual(byte[] w, float[] x, float[] acc, int rows, int cols, int rowBytes) {
        for (@Parallel int r = 0; r < rows; r++) {
            acc[r] += Q8_0.dot(w, r * rowBytes, x, 0, cols);
        }
    }

    /** acc[r] += W[r] · x, one token, F16. */
    static void f16Residual(byte[] w, float[] x, float[] acc, int rows, int cols, int rowBytes) {
        for (@Parallel int r = 0; r < rows; r++) {
            acc[r] += F16.dot(w, r * rowBytes, x, 0, cols);
        }
    }

    /** acc[r] += W[r] · x, one token, F32 decoded to floats. */
    static void f32Residual(float[] w, float[] x, float[] acc, int rows, int cols, int rowBytes) {
        for (@Parallel int r = 0; r < rows; r++) {
            acc[r] += F32.dotDecoded(w, r * cols, x, 0, cols);
        }
    }
}
