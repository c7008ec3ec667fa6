package dev.windowkv.engine.backend.tornado;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;

/**
 * RMSNorm, RoPE (NORM and NEOX) and SwiGLU over a token block on the device against the host's
 * per-token kernels ({@code LayerKernels}, i.e. {@code RmsNorm}, {@code Rope}, {@code SwiGlu}) on
 * random inputs, in a bucket longer than the real count: the padded rows keep what was sent.
 */
class TokenBlockKernelsTest {
    private static final Random RND = new Random(7);
    private static final int BUCKET = 12, COUNT = 9;

    private static void close(float[] expected, float[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 2e-5f * Math.max(1f, Math.abs(expected[i])), what + " [" + i + "]");
        }
    }

    @Test
    void rmsnormOverABlockMatchesTheHost() {
        int dim = 300; // not a multiple of the group's threads
        float[] x = DeviceTests.gaussian(RND, BUCKET * dim), weight = DeviceTests.gaussian(RND, dim);
        Arrays.fill(x, COUNT * dim, x.length, Float.NaN);
        float[] expected = new float[COUNT * dim];
        LayerKernels.rmsnorm(expected, x, weight, COUNT, dim, 1e-5f);
        float[] out = new float[BUCKET * dim];
        int[] count = {COUNT};
        GridScheduler grid = new GridScheduler();
        TaskGraph g = new TaskGraph("blockNorm").transferToDevice(DataTransferMode.EVERY_EXECUTION, x, weight, count);
        TokenBlockKernels.rmsnormTask(g, grid, "norm", out, x, weight, BUCKET, dim, 1e-5f, count);
        DeviceTests.run(g.transferToHost(DataTransferMode.EVERY_EXECUTION, out), grid);
        close(expected, Arrays.copyOf(out, expected.length), "rmsnorm"); // the sum is reduced in another order
    }

    @Test
    void ropeAndSwigluOverABlockMatchTheHost() {
        int heads = 3, headDim = 16, dim = 40;
        float[] invFreq = new float[headDim / 2];
        for (int i = 0; i < invFreq.length; i++) invFreq[i] = (float) Math.pow(10000, -2.0 * i / headDim);
        int[] at = {37, 0};
        int[] count = {COUNT};
        for (int neox = 0; neox <= 1; neox++) {
            float[] x = DeviceTests.gaussian(RND, BUCKET * heads * headDim), expected = x.clone();
            LayerKernels.rope(expected, COUNT, heads, headDim, at, invFreq, neox);
            DeviceTests.run(new TaskGraph("blockRope" + neox)
                    .transferToDevice(DataTransferMode.EVERY_EXECUTION, x, at, invFreq, count)
                    .task("t", TokenBlockKernels::rope, x, BUCKET, heads, headDim, at, invFreq, neox, count)
                    .transferToHost(DataTransferMode.EVERY_EXECUTION, x), null);
            close(expected, x, "rope neox=" + neox); // padded rows: sent, not rotated
        }
        float[] gate = DeviceTests.gaussian(RND, BUCKET * dim), up = DeviceTests.gaussian(RND, BUCKET * dim);
        float[] expected = gate.clone();
        LayerKernels.swiglu(expected, up, COUNT, dim);
        DeviceTests.run(new TaskGraph("blockSwiglu").transferToDevice(DataTransferMode.EVERY_EXECUTION, gate, up, count)
                .task("t", TokenBlockKernels::swiglu, gate, up, BUCKET, dim, count)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, gate), null);
        close(expected, gate, "swiglu");
        assertArrayEquals(Arrays.copyOfRange(expected, COUNT * dim, expected.length),
                Arrays.copyOfRange(gate, COUNT * dim, gate.length), "padded rows untouched");
    }
}
