package dev.windowkv.engine.backend.tornado;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.windowkv.engine.backend.Backend;
import dev.windowkv.engine.backend.ScalarBackend;
import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.engine.gguf.Quantize;
import dev.windowkv.engine.model.Weight;
import dev.windowkv.kernels.quant.F16;
import dev.windowkv.kernels.quant.Q4_0;
import dev.windowkv.kernels.quant.Q8_0;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;

/**
 * The tiled prefill matmul and the Q4_0 decode matmul on the device against {@code ScalarBackend}
 * (the tornado-kernels dot products) on random weights of every device type. The shape has several
 * row and token tiles, a partial one of each, and a bucket larger than the real token count whose
 * padding holds NaN: a padded token that were read would poison the outputs.
 */
class TiledMatmulTest {
    private static final Random RND = new Random(16);

    private static Weight weight(GGMLType type, int rows, int cols) {
        byte[] data = Quantize.quantize(type, DeviceTests.gaussian(RND, rows * cols));
        return new Weight("w", type, MemorySegment.ofArray(data), rows, cols, type.byteSize(cols));
    }

    /** Σ_j |W[r][j]·x[t][j]| for each output: the scale of any summation order's rounding. */
    private static float[] absScale(Weight w, float[] x, int nTokens) {
        byte[] b = w.data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        float[] row = new float[w.cols()];
        float[] s = new float[nTokens * w.rows()];
        for (int r = 0; r < w.rows(); r++) {
            int o = (int) (r * w.rowBytes());
            switch (w.type()) {
                case Q8_0 -> Q8_0.dequantizeRow(b, o, row, 0, w.cols());
                case Q4_0 -> Q4_0.dequantizeRow(b, o, row, 0, w.cols());
                case F16 -> F16.dequantizeRow(b, o, row, 0, w.cols());
                default -> dev.windowkv.kernels.quant.F32.dequantizeRow(b, o, row, 0, w.cols());
            }
            for (int t = 0; t < nTokens; t++) {
                float a = 0f;
                for (int j = 0; j < w.cols(); j++) a += Math.abs(row[j] * x[t * w.cols() + j]);
                s[t * w.rows() + r] = a;
            }
        }
        return s;
    }

    @Test
    void tiledMatmulAndItsResidualFormAgreeWithScalarForEveryDeviceType() {
        int rows = 40, bucket = 40, count = 37;
        for (GGMLType type : new GGMLType[] {GGMLType.Q8_0, GGMLType.Q4_0, GGMLType.F16, GGMLType.F32}) {
            // F16 and F32 also take a width that is not a whole number of 32-column steps.
            for (int cols : type == GGMLType.Q8_0 || type == GGMLType.Q4_0 ? new int[] {96} : new int[] {96, 72}) {
                Weight w = weight(type, rows, cols);
                float[] x = DeviceTests.gaussian(RND, bucket * cols);
                Arrays.fill(x, count * cols, x.length, Float.NaN); // padding: must never be read
                float[] expected = new float[count * rows];
                try (Backend scalar = new ScalarBackend()) {
                    scalar.matmul(w, Arrays.copyOf(x, count * cols), count, expected);
                }
                float[] scale = absScale(w, x, count);
                DeviceWeight dw = DeviceWeight.of(w);
                int[] n = {count};

                float[] out = new float[bucket * rows];
                GridScheduler grid = new GridScheduler();
                TaskGraph g = new TaskGraph("tiled" + type + cols)
                        .transferToDevice(DataTransferMode.EVERY_EXECUTION, dw.data(), x, n);
                TiledMatmul.task(g, grid, "mm", dw, x, out, bucket, n, false);
                DeviceTests.run(g.transferToHost(DataTransferMode.EVERY_EXECUTION, out), grid);
                DeviceTests.within(expected, Arrays.copyOf(out, count * rows), scale, 1e-5f, type + " " + cols + " tiled");

                float[] acc = DeviceTests.gaussian(RND, bucket * rows);
                float[] expectedAcc = acc.clone();
                for (int i = 0; i < expected.length; i++) expectedAcc[i] += expected[i];
                GridScheduler grid2 = new GridScheduler();
                TaskGraph r = new TaskGraph("tiledRes" + type + cols)
                        .transferToDevice(DataTransferMode.EVERY_EXECUTION, dw.data(), x, n, acc);
                TiledMatmul.task(r, grid2, "mm", dw, x, acc, bucket, n, true);
                DeviceTests.run(r.transferToHost(DataTransferMode.EVERY_EXECUTION, acc), grid2);
                DeviceTests.within(Arrays.copyOf(expectedAcc, count * rows), Arrays.copyOf(acc, count * rows), scale,
                        1e-5f, type + " " + cols + " tiled residual");
                assertArrayEquals(Arrays.copyOfRange(expectedAcc, count * rows, acc.length),
                        Arrays.copyOfRange(acc, count * rows, acc.length), "padded tokens are not written");
            }
        }
    }

    @Test
    void q4_0DecodeMatmulHasTheScalarBits() {
        int rows = 40, cols = 96, nTokens = 3;
        Weight w = weight(GGMLType.Q4_0, rows, cols);
        float[] x = DeviceTests.gaussian(RND, nTokens * cols);
        float[] expected = new float[nTokens * rows];
        try (Backend scalar = new ScalarBackend()) {
            scalar.matmul(w, x, nTokens, expected);
        }
        DeviceWeight dw = DeviceWeight.of(w);
        assertEquals(GGMLType.Q4_0, dw.type());
        float[] out = new float[nTokens * rows];
        TaskGraph g = new TaskGraph("q4").transferToDevice(DataTransferMode.EVERY_EXECUTION, dw.data(), x);
        dw.matmulTask(g, "mm", x, out, nTokens);
        DeviceTests.run(g.transferToHost(DataTransferMode.EVERY_EXECUTION, out), null);
        // Same products in the same order; only the device's float contraction may differ.
        DeviceTests.within(expected, out, absScale(w, x, nTokens), 1e-6f, "Q4_0 matmul");

        float[] acc = DeviceTests.gaussian(RND, rows);
        float[] expectedAcc = acc.clone();
        for (int r = 0; r < rows; r++) expectedAcc[r] += expected[r];
        TaskGraph r = new TaskGraph("q4res").transferToDevice(DataTransferMode.EVERY_EXECUTION, dw.data(), x, acc);
        dw.residualTask(r, "res", x, acc);
        DeviceTests.run(r.transferToHost(DataTransferMode.EVERY_EXECUTION, acc), null);
        DeviceTests.within(expectedAcc, acc, absScale(w, x, 1), 1e-6f, "Q4_0 residual matmul");
    }
}
