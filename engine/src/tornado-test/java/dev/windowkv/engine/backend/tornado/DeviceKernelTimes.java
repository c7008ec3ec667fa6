package dev.windowkv.engine.backend.tornado;

import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.engine.gguf.Quantize;
import dev.windowkv.engine.model.Weight;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.enums.ProfilerMode;
import uk.ac.manchester.tornado.api.exceptions.TornadoExecutionPlanException;

/**
 * Not a test: device kernel times of the new kernels beside the simple ones they replace, on a
 * Llama-3.2-1B-like shape (dim 2048, 512 prompt tokens). Runs only with {@code -Dwkv.deviceTiming=true};
 * prints the best of three executions' device kernel time (TornadoVM's profiler) after one warm-up.
 */
@EnabledIfSystemProperty(named = "wkv.deviceTiming", matches = "true")
class DeviceKernelTimes {
    private static final Random RND = new Random(1);
    private static final int DIM = 2048, TOKENS = 512, HEADS = 32, KV_HEADS = 8, HEAD_DIM = 64, FFN = 8192;

    /** {best device kernel time, best wall time of execute()} in ms over three runs after a warm-up. */
    private static double[] millis(TaskGraph g, GridScheduler grid) {
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(g.snapshot())) {
            plan.withProfiler(ProfilerMode.SILENT);
            if (grid != null) plan.withGridScheduler(grid);
            plan.execute();
            long best = Long.MAX_VALUE, wall = Long.MAX_VALUE;
            for (int i = 0; i < 3; i++) {
                long t0 = System.nanoTime();
                long k = plan.execute().getProfilerResult().getDeviceKernelTime();
                wall = Math.min(wall, System.nanoTime() - t0);
                best = Math.min(best, k);
            }
            return new double[] {best / 1e6, wall / 1e6};
        } catch (TornadoExecutionPlanException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void print(String what, double[] simple, double[] fresh) {
        System.out.printf("TIMING %s | kernel simple %.2f ms, new %.2f ms (x%.2f) | execute() simple %.2f ms, new %.2f ms (x%.2f)%n",
                what, simple[0], fresh[0], simple[0] / fresh[0], simple[1], fresh[1], simple[1] / fresh[1]);
    }

    @Test
    void prefillMatmul() {
        float[] x = DeviceTests.gaussian(RND, TOKENS * DIM);
        int[] count = {TOKENS};
        for (GGMLType type : new GGMLType[] {GGMLType.Q8_0, GGMLType.Q4_0, GGMLType.F16, GGMLType.F32}) {
            byte[] data = Quantize.quantize(type, DeviceTests.gaussian(RND, DIM * DIM));
            DeviceWeight w = DeviceWeight.of(new Weight("w", type, MemorySegment.ofArray(data), DIM, DIM, type.byteSize(DIM)));
            float[] out = new float[TOKENS * DIM];
            TaskGraph simple = new TaskGraph("simple" + type)
                    .transferToDevice(DataTransferMode.FIRST_EXECUTION, w.data(), x);
            w.matmulTask(simple, "mm", x, out, TOKENS);
            simple.transferToHost(DataTransferMode.UNDER_DEMAND, out);
            GridScheduler grid = new GridScheduler();
            TaskGraph tiled = new TaskGraph("tiled" + type)
                    .transferToDevice(DataTransferMode.FIRST_EXECUTION, w.data(), x, count);
            TiledMatmul.task(tiled, grid, "mm", w, x, out, TOKENS, count, false);
            tiled.transferToHost(DataTransferMode.UNDER_DEMAND, out);
            print("matmul " + type + " 2048x2048, 512 tokens", millis(simple, null), millis(tiled, grid));
        }
    }

    @Test
    void prefillAttentionAndNorm() {
        float[] q = DeviceTests.gaussian(RND, TOKENS * HEADS * HEAD_DIM);
        float[] k = DeviceTests.gaussian(RND, TOKENS * KV_HEADS * HEAD_DIM), v = DeviceTests.gaussian(RND, k.length);
        float[] out = new float[q.length];
        int[] length = {TOKENS};
        float scale = (float) (1 / Math.sqrt(HEAD_DIM));
        TaskGraph simple = new TaskGraph("simpleAttention").transferToDevice(DataTransferMode.FIRST_EXECUTION, q, k, v)
                .task("t", LayerKernels::attentionPrefill, q, k, v, out, TOKENS, HEADS, KV_HEADS, HEAD_DIM, scale)
                .transferToHost(DataTransferMode.UNDER_DEMAND, out);
        GridScheduler grid = new GridScheduler();
        TaskGraph flash = new TaskGraph("flash").transferToDevice(DataTransferMode.FIRST_EXECUTION, q, k, v, length);
        PrefillAttention.task(flash, grid, "t", q, k, v, out, length, TOKENS, HEADS, KV_HEADS, HEAD_DIM);
        flash.transferToHost(DataTransferMode.UNDER_DEMAND, out);
        print("attention 512 tokens, 32/8 heads of 64", millis(simple, null), millis(flash, grid));

        float[] x = DeviceTests.gaussian(RND, TOKENS * DIM), weight = DeviceTests.gaussian(RND, DIM);
        float[] xb = new float[x.length];
        TaskGraph simpleNorm = new TaskGraph("simpleNorm").transferToDevice(DataTransferMode.FIRST_EXECUTION, x, weight)
                .task("t", LayerKernels::rmsnorm, xb, x, weight, TOKENS, DIM, 1e-5f)
                .transferToHost(DataTransferMode.UNDER_DEMAND, xb);
        GridScheduler grid2 = new GridScheduler();
        TaskGraph blockNorm = new TaskGraph("blockNorm").transferToDevice(DataTransferMode.FIRST_EXECUTION, x, weight, length);
        TokenBlockKernels.rmsnormTask(blockNorm, grid2, "t", xb, x, weight, TOKENS, DIM, 1e-5f, length);
        blockNorm.transferToHost(DataTransferMode.UNDER_DEMAND, xb);
        print("rmsnorm 512 tokens x 2048", millis(simpleNorm, null), millis(blockNorm, grid2));
    }

    @Test
    void fusedDecode() {
        GGMLType type = GGMLType.Q8_0;
        DeviceWeight[] w = new DeviceWeight[5];
        int[][] shapes = {{HEADS * HEAD_DIM, DIM}, {KV_HEADS * HEAD_DIM, DIM}, {KV_HEADS * HEAD_DIM, DIM}, {FFN, DIM}, {FFN, DIM}};
        for (int i = 0; i < 5; i++) {
            byte[] data = Quantize.quantize(type, DeviceTests.gaussian(RND, shapes[i][0] * shapes[i][1]));
            w[i] = DeviceWeight.of(new Weight("w" + i, type, MemorySegment.ofArray(data), shapes[i][0], shapes[i][1],
                    type.byteSize(shapes[i][1])));
        }
        float[] x = DeviceTests.gaussian(RND, DIM), an = DeviceTests.gaussian(RND, DIM), fn = DeviceTests.gaussian(RND, DIM);
        float[] invFreq = new float[HEAD_DIM / 2];
        for (int i = 0; i < invFreq.length; i++) invFreq[i] = (float) Math.pow(500000, -2.0 * i / HEAD_DIM);
        int capacity = 600;
        int[] at = {520, 512};
        int[] step = {520, 0}, base = {512, 520}; // the same slot for the fused kernel: 512 + 520 - 520
        float[] xb = new float[DIM], q = new float[HEADS * HEAD_DIM], k = new float[KV_HEADS * HEAD_DIM];
        float[] v = new float[k.length], g = new float[FFN], u = new float[FFN];
        float[] kCache = new float[KV_HEADS * capacity * HEAD_DIM], vCache = new float[kCache.length];
        TaskGraph simple = new TaskGraph("unfused").transferToDevice(DataTransferMode.FIRST_EXECUTION, x, an, fn, invFreq,
                        at, w[0].data(), w[1].data(), w[2].data(), w[3].data(), w[4].data(), xb, q, k, v, g, u, kCache, vCache)
                .task("norm", LayerKernels::rmsnorm, xb, x, an, 1, DIM, 1e-5f);
        w[0].matmulTask(simple, "q", xb, q, 1);
        w[1].matmulTask(simple, "k", xb, k, 1);
        w[2].matmulTask(simple, "v", xb, v, 1);
        simple.task("ropeQ", LayerKernels::rope, q, 1, HEADS, HEAD_DIM, at, invFreq, 0)
                .task("ropeK", LayerKernels::rope, k, 1, KV_HEADS, HEAD_DIM, at, invFreq, 0)
                .task("append", LayerKernels::appendKv, k, v, kCache, vCache, KV_HEADS, HEAD_DIM, capacity, at)
                .task("ffnNorm", LayerKernels::rmsnorm, xb, x, fn, 1, DIM, 1e-5f);
        w[3].matmulTask(simple, "gate", xb, g, 1);
        w[4].matmulTask(simple, "up", xb, u, 1);
        simple.task("swiglu", LayerKernels::swiglu, g, u, 1, FFN).transferToHost(DataTransferMode.UNDER_DEMAND, g);
        GridScheduler grid = new GridScheduler();
        TaskGraph fused = new TaskGraph("fused").transferToDevice(DataTransferMode.FIRST_EXECUTION, x, an, fn, invFreq, step, base,
                w[0].data(), w[1].data(), w[2].data(), w[3].data(), w[4].data(), q, kCache, vCache, g);
        FusedDecodeKernels.normQkvRopeTask(fused, grid, "qkv", x, an, w[0], w[1], w[2], q, kCache, vCache, step, base,
                invFreq, 1e-5f, HEADS, KV_HEADS, HEAD_DIM, capacity, false);
        FusedDecodeKernels.normGateUpSwigluTask(fused, grid, "ffn", x, fn, w[3], w[4], g, 1e-5f);
        fused.transferToHost(DataTransferMode.UNDER_DEMAND, g);
        print("decode norm+QKV+RoPE+append, norm+gate/up+SwiGLU Q8_0 (11 vs 2 launches)", millis(simple, null),
                millis(fused, grid));
    }
}
