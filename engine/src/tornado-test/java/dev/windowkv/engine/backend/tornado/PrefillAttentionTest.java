package dev.windowkv.engine.backend.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.windowkv.kernels.Attention;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;

/**
 * The flash-style prefill attention on the device against {@code Attention.prefill} (the kernel the
 * Java backends call) on random GQA inputs: several query and key blocks, partial ones, and a bucket
 * longer than the real length whose padding holds NaN (a padded key that were read would poison
 * every output).
 */
class PrefillAttentionTest {
    @Test
    void causalGqaAttentionOverKeyBlocksMatchesTheHost() {
        Random rnd = new Random(3);
        int bucket = 80, n = 71, heads = 6, kvHeads = 2, headDim = 32;
        float scale = (float) (1 / Math.sqrt(headDim));
        float[] q = DeviceTests.gaussian(rnd, bucket * heads * headDim);
        float[] k = DeviceTests.gaussian(rnd, bucket * kvHeads * headDim);
        float[] v = DeviceTests.gaussian(rnd, bucket * kvHeads * headDim);
        Arrays.fill(q, n * heads * headDim, q.length, Float.NaN);
        Arrays.fill(k, n * kvHeads * headDim, k.length, Float.NaN);
        Arrays.fill(v, n * kvHeads * headDim, v.length, Float.NaN);
        float[] expected = new float[n * heads * headDim];
        for (int t = 0; t < n; t++) {
            for (int h = 0; h < heads; h++) Attention.prefill(q, k, v, expected, t, h, heads, kvHeads, headDim, scale);
        }
        float[] out = new float[q.length];
        int[] length = {n};
        GridScheduler grid = new GridScheduler();
        TaskGraph g = new TaskGraph("flash").transferToDevice(DataTransferMode.EVERY_EXECUTION, q, k, v, length);
        PrefillAttention.task(g, grid, "attention", q, k, v, out, length, bucket, heads, kvHeads, headDim);
        DeviceTests.run(g.transferToHost(DataTransferMode.EVERY_EXECUTION, out), grid);
        // The same steps in the same order as the host; only the device's exp may differ in the last bits.
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], out[i], 2e-5f * Math.max(1f, Math.abs(expected[i])), "out [" + i + "]");
        }
    }
}
