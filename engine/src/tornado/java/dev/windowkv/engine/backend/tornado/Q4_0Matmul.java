package dev.windowkv.engine.backend.tornado;

import dev.windowkv.kernels.quant.Q4_0Nibbles;
import uk.ac.manchester.tornado.api.annotations.Parallel;

/**
 * The decode matmul tasks for Q4_0 weights, as {@code MatmulKernels}' for Q8_0: one work item per
 * (token, row), through {@code Q4_0Nibbles.dot}, which reads the nibbles in the form TornadoVM
 * compiles and gives {@code Q4_0.dot}'s bits.
 */
final class Q4_0Matmul {
    private Q4_0Matmul() {}

    /** out[t][r] = W[r] · x[t] for a Q4_0 weight of {@code rows} rows, {@code rowBytes} bytes apart. */
    static void matmul(byte[] w, float[] x, float[] out, int rows, int cols, int rowBytes, int nTokens) {
        for (@Parallel int i = 0; i < rows * nTokens; i++) {
            int t = i / rows;
            int r = i % rows;
            out[i] = Q4_0Nibbles.dot(w, r * rowBytes, x, t * cols, cols);
        }
    }

    /** acc[r] += W[r] · x, one token. */
    static void residual(byte[] w, float[] x, float[] acc, int rows, int cols, int rowBytes) {
        for (@Parallel int r = 0; r < rows; r++) {
            acc[r] += Q4_0Nibbles.dot(w, r * rowBytes, x, 0, cols);
        }
    }
}
