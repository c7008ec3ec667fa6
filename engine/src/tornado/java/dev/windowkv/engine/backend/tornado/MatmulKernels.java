package dev.windowkv.engine.backend.tornado;

import dev.windowkv.kernels.quant.F32;
import dev.windowkv.kernels.quant.Q8_0;
import uk.ac.manchester.tornado.api.annotations.Parallel;

/**
 * The TornadoVM tasks: one {@code @Parallel} loop over weight rows, each work item the same
 * {@code tornado-kernels} dot product the Java backends call. No math lives here.
 */
final class MatmulKernels {
    private MatmulKernels() {}

    /** out[r] = W[r] · x for an F32 weight of {@code rows} rows, {@code rowBytes} bytes apart. */
    static void f32(byte[] w, float[] x, float[] out, int rows, int cols, int rowBytes) {
        for (@Parallel int r = 0; r < rows; r++) {
            out[r] = F32.dot(w, r * rowBytes, x, 0, cols);
        }
    }

    /** out[r] = W[r] · x for a Q8_0 weight. */
    static void q8_0(byte[] w, float[] x, float[] out, int rows, int cols, int rowBytes) {
        for (@Parallel int r = 0; r < rows; r++) {
            out[r] = Q8_0.dot(w, r * rowBytes, x, 0, cols);
        }
    }
}
