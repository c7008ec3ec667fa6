package dev.windowkv.engine.backend.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.windowkv.engine.backend.Backend;
import dev.windowkv.engine.backend.ScalarBackend;
import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.engine.gguf.Quantize;
import dev.windowkv.engine.model.Weight;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;

/**
 * The fused decode kernels on the device against the unfused steps on the host (RMSNorm, the
 * ScalarBackend matmuls, RoPE, the cache append, SwiGLU) on random GQA weights of each fusable type,
 * with both RoPE layouts.
 */
class FusedDecodeKernelsTest {
    private static final Random RND = new Random(9);
    private static final float EPS = 1e-5f;

    private static Weight weight(GGMLType type, int rows, int cols) {
        byte[] data = Quantize.quantize(type, DeviceTests.gaussian(RND, rows * cols));
        return new Weight("w", type, MemorySegment.ofArray(data), rows, cols, type.byteSize(cols));
    }

    private static float[] matmul(Weight w, float[] x) {
        float[] out = new float[w.rows()];
        try (Backend scalar = new ScalarBackend()) {
            scalar.matmul(w, x, 1, out);
        }
        return out;
    }

    private static void close(float[] expected, float[] actual, int expOff, int actOff, int n, String what) {
        for (int i = 0; i < n; i++) {
            float e = expected[expOff + i];
            assertEquals(e, actual[actOff + i], 1e-4f * Math.max(1f, Math.abs(e)), what + " [" + i + "]");
        }
    }

    @Test
    void normQkvRopeAppendAndNormGateUpSwigluMatchTheUnfusedSteps() {
        int dim = 96, heads = 4, kvHeads = 2, headDim = 24, ffn = 160, capacity = 5;
        int[] at = {13, 3}; // {position, slot}, for the unfused reference
        int[] step = {13, 0}, base = {3, 13}; // the fused kernel computes the slot: 3 + 13 - 13
        float[] invFreq = new float[headDim / 2];
        for (int i = 0; i < invFreq.length; i++) invFreq[i] = (float) Math.pow(10000, -2.0 * i / headDim);
        Object[][] cases = {{GGMLType.Q8_0, 0}, {GGMLType.Q4_0, 1}, {GGMLType.F16, 0}};
        for (Object[] c : cases) {
            GGMLType type = (GGMLType) c[0];
            int neox = (Integer) c[1];
            String what = type + (neox == 1 ? " neox" : " norm");
            Weight wq = weight(type, heads * headDim, dim), wk = weight(type, kvHeads * headDim, dim);
            Weight wv = weight(type, kvHeads * headDim, dim);
            Weight gate = weight(type, ffn, dim), up = weight(type, ffn, dim);
            float[] x = DeviceTests.gaussian(RND, dim), attnNorm = DeviceTests.gaussian(RND, dim);
            float[] ffnNorm = DeviceTests.gaussian(RND, dim);

            float[] xb = new float[dim];
            LayerKernels.rmsnorm(xb, x, attnNorm, 1, dim, EPS);
            float[] q = matmul(wq, xb), k = matmul(wk, xb), v = matmul(wv, xb);
            LayerKernels.rope(q, 1, heads, headDim, at, invFreq, neox);
            LayerKernels.rope(k, 1, kvHeads, headDim, at, invFreq, neox);
            LayerKernels.rmsnorm(xb, x, ffnNorm, 1, dim, EPS);
            float[] g = matmul(gate, xb), u = matmul(up, xb);
            LayerKernels.swiglu(g, u, 1, ffn);

            DeviceWeight dq = DeviceWeight.of(wq), dk = DeviceWeight.of(wk), dv = DeviceWeight.of(wv);
            DeviceWeight dg = DeviceWeight.of(gate), du = DeviceWeight.of(up);
            float[] qOut = new float[heads * headDim], hb = new float[ffn];
            float[] kCache = new float[kvHeads * capacity * headDim], vCache = new float[kCache.length];
            GridScheduler grid = new GridScheduler();
            TaskGraph tg = new TaskGraph("fused" + type + neox)
                    .transferToDevice(DataTransferMode.EVERY_EXECUTION, x, attnNorm, ffnNorm, step, base, invFreq, dq.data(),
                            dk.data(), dv.data(), dg.data(), du.data());
            FusedDecodeKernels.normQkvRopeTask(tg, grid, "qkv", x, attnNorm, dq, dk, dv, qOut, kCache, vCache, step,
                    base, invFreq, EPS, heads, kvHeads, headDim, capacity, neox == 1);
            FusedDecodeKernels.normGateUpSwigluTask(tg, grid, "ffn", x, ffnNorm, dg, du, hb, EPS);
            DeviceTests.run(tg.transferToHost(DataTransferMode.EVERY_EXECUTION, qOut, kCache, vCache, hb), grid);

            close(q, qOut, 0, 0, q.length, what + " q");
            for (int h = 0; h < kvHeads; h++) { // slot at[1] of each KV head; the others were never written
                int slot = (h * capacity + at[1]) * headDim;
                close(k, kCache, h * headDim, slot, headDim, what + " k head " + h);
                close(v, vCache, h * headDim, slot, headDim, what + " v head " + h);
            }
            close(g, hb, 0, 0, ffn, what + " swiglu");
        }
    }
}
