package dev.windowkv.engine.backend.tornado;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.windowkv.engine.backend.Backend;
import dev.windowkv.engine.backend.ScalarBackend;
import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.engine.gguf.Quantize;
import dev.windowkv.engine.model.Weight;
import dev.windowkv.kernels.Attention;
import dev.windowkv.kernels.SplitAttention;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.exceptions.TornadoExecutionPlanException;

/**
 * Every device task agrees with the same kernel run on the host: each task's {@code @Parallel}
 * loop is also plain Java, so calling it directly is the scalar reference. Compiled and run only
 * by the engine's {@code tornado} profile, with bailout off (a kernel that fails to JIT fails here).
 */
class TornadoKernelsTest {
    /** Device transcendental functions (exp, cos, sin) may differ from Java's in the last bits. */
    private static final float TOL = 2e-5f;

    private static final Random RND = new Random(11);

    private static float[] gaussian(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) RND.nextGaussian();
        return a;
    }

    private static void run(TaskGraph g) {
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(g.snapshot())) {
            plan.execute();
        } catch (TornadoExecutionPlanException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void close(float[] expected, float[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            float tol = TOL * Math.max(1f, Math.abs(expected[i]));
            assertEquals(expected[i], actual[i], tol, what + " [" + i + "]");
        }
    }

    @Test
    void matmulQ8_0F16AndF32AgreeWithScalar() {
        int rows = 40, cols = 96, nTokens = 3;
        for (GGMLType type : new GGMLType[] {GGMLType.Q8_0, GGMLType.F16, GGMLType.F32}) {
            byte[] data = Quantize.quantize(type, gaussian(rows * cols));
            Weight w = new Weight("w", type, MemorySegment.ofArray(data), rows, cols, type.byteSize(cols));
            float[] x = gaussian(nTokens * cols);
            float[] expected = new float[nTokens * rows];
            try (Backend scalar = new ScalarBackend()) {
                scalar.matmul(w, x, nTokens, expected);
            }
            DeviceWeight dw = DeviceWeight.of(w);
            float[] out = new float[nTokens * rows];
            TaskGraph g = new TaskGraph("mm" + type).transferToDevice(DataTransferMode.EVERY_EXECUTION, dw.data(), x);
            dw.matmulTask(g, "mm", x, out, nTokens);
            run(g.transferToHost(DataTransferMode.EVERY_EXECUTION, out));
            assertArrayEquals(expected, out, 1e-4f, type + " matmul");

            float[] acc = gaussian(rows);
            float[] expectedAcc = acc.clone();
            for (int r = 0; r < rows; r++) expectedAcc[r] += expected[r];
            TaskGraph r = new TaskGraph("res" + type)
                    .transferToDevice(DataTransferMode.EVERY_EXECUTION, dw.data(), x, acc);
            dw.residualTask(r, "res", x, acc);
            run(r.transferToHost(DataTransferMode.EVERY_EXECUTION, acc));
            assertArrayEquals(expectedAcc, acc, 1e-4f, type + " residual matmul");
        }
    }

    @Test
    void rmsnormSwigluSoftmax() {
        int n = 3, dim = 70;
        float[] x = gaussian(n * dim), weight = gaussian(dim), out = new float[n * dim], expected = new float[n * dim];
        LayerKernels.rmsnorm(expected, x, weight, n, dim, 1e-5f);
        run(new TaskGraph("norm").transferToDevice(DataTransferMode.EVERY_EXECUTION, x, weight)
                .task("t", LayerKernels::rmsnorm, out, x, weight, n, dim, 1e-5f)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, out));
        close(expected, out, "rmsnorm");

        float[] gate = gaussian(n * dim), up = gaussian(n * dim), expectedGate = gate.clone();
        LayerKernels.swiglu(expectedGate, up, n, dim);
        run(new TaskGraph("swiglu").transferToDevice(DataTransferMode.EVERY_EXECUTION, gate, up)
                .task("t", LayerKernels::swiglu, gate, up, n, dim)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, gate));
        close(expectedGate, gate, "swiglu");

        float[] s = gaussian(n * dim), expectedS = s.clone();
        LayerKernels.softmax(expectedS, n, dim);
        run(new TaskGraph("softmax").transferToDevice(DataTransferMode.EVERY_EXECUTION, s)
                .task("t", LayerKernels::softmax, s, n, dim)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, s));
        close(expectedS, s, "softmax");
    }

    @Test
    void ropeNormAndNeoxAtAPositionFromAnArray() {
        int n = 2, heads = 3, headDim = 16;
        float[] invFreq = new float[headDim / 2];
        for (int i = 0; i < invFreq.length; i++) invFreq[i] = (float) Math.pow(10000, -2.0 * i / headDim);
        int[] at = {37, 0};
        for (int neox = 0; neox <= 1; neox++) {
            float[] x = gaussian(n * heads * headDim), expected = x.clone();
            LayerKernels.rope(expected, n, heads, headDim, at, invFreq, neox);
            run(new TaskGraph("rope" + neox).transferToDevice(DataTransferMode.EVERY_EXECUTION, x, at, invFreq)
                    .task("t", LayerKernels::rope, x, n, heads, headDim, at, invFreq, neox)
                    .transferToHost(DataTransferMode.EVERY_EXECUTION, x));
            close(expected, x, "rope neox=" + neox);
        }
    }

    @Test
    void attentionPrefillAndDecodeWithAppend() {
        int n = 9, heads = 4, kvHeads = 2, headDim = 32;
        float scale = (float) (1 / Math.sqrt(headDim));
        float[] q = gaussian(n * heads * headDim), k = gaussian(n * kvHeads * headDim), v = gaussian(n * kvHeads * headDim);
        float[] out = new float[q.length], expected = new float[q.length];
        LayerKernels.attentionPrefill(q, k, v, expected, n, heads, kvHeads, headDim, scale);
        run(new TaskGraph("prefill").transferToDevice(DataTransferMode.EVERY_EXECUTION, q, k, v)
                .task("t", LayerKernels::attentionPrefill, q, k, v, out, n, heads, kvHeads, headDim, scale)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, out));
        close(expected, out, "attention prefill");

        // The cache is filled by compaction on the device, as TornadoDecoder does: TornadoVM would not
        // copy in an array whose first use in a graph is a write (the append).
        int capacity = 12, filled = 7;
        int[] at = {20, filled};
        int[] position = {20, 0}, base = {filled, 20}; // the same slot, as the decoder computes it: 7 + 20 - 20
        int splits = SplitAttention.splits(capacity);
        float[] partMax = new float[heads * splits], partSum = new float[partMax.length];
        float[] partOut = new float[partMax.length * headDim];
        float[] kSrc = gaussian(filled * kvHeads * headDim), vSrc = gaussian(filled * kvHeads * headDim);
        int[] kept = new int[kvHeads * filled];
        for (int i = 0; i < kept.length; i++) kept[i] = i % filled;
        float[] kCache = new float[kvHeads * capacity * headDim], vCache = new float[kCache.length];
        float[] kTok = gaussian(kvHeads * headDim), vTok = gaussian(kvHeads * headDim), q1 = gaussian(heads * headDim);
        float[] kExp = new float[kCache.length], vExp = new float[kCache.length];
        float[] outExp = new float[heads * headDim], out1 = new float[heads * headDim];
        int[] count = {filled};
        ScoringKernels.gatherKept(kSrc, vSrc, kvHeads, headDim, kept, count, filled, capacity, kExp, vExp);
        LayerKernels.appendKv(kTok, vTok, kExp, vExp, kvHeads, headDim, capacity, at);
        for (int h = 0; h < heads; h++) { // the host's whole-cache attention, over the appended slot too
            Attention.decode(q1, h * headDim, kExp, vExp, capacity, filled + 1, h / (heads / kvHeads), headDim, outExp,
                    h * headDim, scale);
        }
        TaskGraph fill = new TaskGraph("fill")
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, kSrc, vSrc, kept, count)
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, kCache, vCache)
                .task("gather", ScoringKernels::gatherKept, kSrc, vSrc, kvHeads, headDim, kept, count, filled, capacity,
                        kCache, vCache)
                .persistOnDevice(kCache, vCache);
        TaskGraph step = new TaskGraph("step").consumeFromDevice("fill", kCache, vCache)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, kTok, vTok, q1, at)
                .task("append", LayerKernels::appendKv, kTok, vTok, kCache, vCache, kvHeads, headDim, capacity, at)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, position, base)
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, partMax, partSum, partOut)
                .task("attention", LayerKernels::attentionPartial, q1, kCache, vCache, capacity, position, base, heads,
                        kvHeads, headDim, scale, splits, partMax, partSum, partOut)
                .task("attentionCombine", LayerKernels::attentionCombine, partMax, partSum, partOut, out1, position, base,
                        heads, headDim, splits)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, kCache, vCache, out1);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(fill.snapshot(), step.snapshot())) {
            plan.withGraph(0).execute();
            plan.withGraph(1).execute();
        } catch (TornadoExecutionPlanException e) {
            throw new IllegalStateException(e);
        }
        for (int h = 0; h < kvHeads; h++) { // slots past the appended one are never written
            int used = (filled + 1) * headDim;
            assertArrayEquals(java.util.Arrays.copyOfRange(kExp, h * capacity * headDim, h * capacity * headDim + used),
                    java.util.Arrays.copyOfRange(kCache, h * capacity * headDim, h * capacity * headDim + used), "keys");
            assertArrayEquals(java.util.Arrays.copyOfRange(vExp, h * capacity * headDim, h * capacity * headDim + used),
                    java.util.Arrays.copyOfRange(vCache, h * capacity * headDim, h * capacity * headDim + used), "values");
        }
        close(outExp, out1, "attention decode");
    }

    /**
     * Split-K decode attention on the device (its two passes) equals the host's whole-cache
     * {@code Attention.decode}, with GQA, for a cache of 1 key, one split exactly, a non-multiple of
     * the split, and the full capacity, all through one compiled plan (the length comes in
     * {@code step} and {@code base}, as in the decoder).
     */
    @Test
    void splitAttentionOnTheDeviceIsTheHostsDecode() {
        int heads = 6, kvHeads = 2, headDim = 32, capacity = 4 * SplitAttention.SLOTS;
        int splits = SplitAttention.splits(capacity);
        float scale = (float) (1 / Math.sqrt(headDim));
        float[] kCache = gaussian(kvHeads * capacity * headDim), vCache = gaussian(kCache.length);
        float[] q = gaussian(heads * headDim);
        for (int i = 0; i < q.length; i++) q[i] *= 4; // peaked scores: the splits' maxima differ widely
        float[] partMax = new float[heads * splits], partSum = new float[partMax.length];
        float[] partOut = new float[partMax.length * headDim], out = new float[heads * headDim];
        int[] step = new int[2], base = {0, 0}; // length = base[0] + step[0] - base[1] + 1 = step[0] + 1
        TaskGraph g = new TaskGraph("split")
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, q, kCache, vCache, partMax, partSum, partOut, base)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, step)
                .task("attention", LayerKernels::attentionPartial, q, kCache, vCache, capacity, step, base, heads, kvHeads,
                        headDim, scale, splits, partMax, partSum, partOut)
                .task("attentionCombine", LayerKernels::attentionCombine, partMax, partSum, partOut, out, step, base,
                        heads, headDim, splits)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, out);
        DeviceTests.requireBailoutOff();
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(g.snapshot())) {
            for (int length : new int[] {1, SplitAttention.SLOTS, SplitAttention.SLOTS + 37, capacity}) {
                step[0] = length - 1;
                plan.execute();
                float[] expected = new float[heads * headDim];
                for (int h = 0; h < heads; h++) {
                    Attention.decode(q, h * headDim, kCache, vCache, capacity, length, h / (heads / kvHeads), headDim,
                            expected, h * headDim, scale);
                }
                close(expected, out, "split attention, length " + length);
            }
        } catch (TornadoExecutionPlanException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void observationScoresWindowPoolingMaxPoolAndCompaction() {
        int n = 40, heads = 4, kvHeads = 2, headDim = 16, firstQuery = 30, causalFrom = 0, keyCount = 30;
        float scale = (float) (1 / Math.sqrt(headDim));
        float[] q = gaussian(n * heads * headDim), k = gaussian(n * kvHeads * headDim);
        int rows = heads * (n - firstQuery);
        float[] rowMax = new float[rows], rowSum = new float[rows], a = new float[heads * keyCount];
        float[] eMax = new float[rows], eSum = new float[rows], eA = new float[heads * keyCount];
        ScoringKernels.rowStats(q, k, n, heads, kvHeads, headDim, firstQuery, causalFrom, scale, eMax, eSum);
        ScoringKernels.accumulate(q, k, n, heads, kvHeads, headDim, firstQuery, causalFrom, scale, eMax, eSum, keyCount, eA);
        run(new TaskGraph("scores").transferToDevice(DataTransferMode.EVERY_EXECUTION, q, k)
                .task("rowStats", ScoringKernels::rowStats, q, k, n, heads, kvHeads, headDim, firstQuery, causalFrom,
                        scale, rowMax, rowSum)
                .task("accumulate", ScoringKernels::accumulate, q, k, n, heads, kvHeads, headDim, firstQuery,
                        causalFrom, scale, rowMax, rowSum, keyCount, a)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, rowMax, rowSum, a));
        close(eMax, rowMax, "row max");
        close(eSum, rowSum, "row sum");
        close(eA, a, "accumulated scores");

        // The pooling kernels read the host scores, so they are compared exactly.
        int windowSize = 8, nWindows = (keyCount + windowSize - 1) / windowSize;
        float[] maxScore = new float[nWindows], avgScore = new float[nWindows], perKv = new float[kvHeads * keyCount];
        float[] pooled = new float[kvHeads * keyCount];
        float[] eMaxScore = new float[nWindows], eAvgScore = new float[nWindows], ePerKv = new float[kvHeads * keyCount];
        float[] ePooled = new float[kvHeads * keyCount];
        ScoringKernels.windowMax(eA, heads, keyCount, keyCount, windowSize, windowSize / 2, eMaxScore, nWindows);
        ScoringKernels.windowAverage(eA, heads, keyCount, keyCount, windowSize, eAvgScore, nWindows);
        ScoringKernels.sumPerKvHead(eA, heads, kvHeads, keyCount, ePerKv);
        ScoringKernels.maxPool(ePerKv, ePooled, kvHeads, keyCount, 7);
        run(new TaskGraph("pool").transferToDevice(DataTransferMode.EVERY_EXECUTION, eA)
                .task("max", ScoringKernels::windowMax, eA, heads, keyCount, keyCount, windowSize, windowSize / 2,
                        maxScore, nWindows)
                .task("avg", ScoringKernels::windowAverage, eA, heads, keyCount, keyCount, windowSize, avgScore, nWindows)
                .task("perKv", ScoringKernels::sumPerKvHead, eA, heads, kvHeads, keyCount, perKv)
                .task("maxPool", ScoringKernels::maxPool, perKv, pooled, kvHeads, keyCount, 7)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, maxScore, avgScore, perKv, pooled));
        close(eMaxScore, maxScore, "window max");
        close(eAvgScore, avgScore, "window average");
        close(ePerKv, perKv, "scores per KV head");
        assertArrayEquals(ePooled, pooled, "max pool of the same scores");

        int keptCount = 5, capacity = 8;
        int[] kept = {3, 9, 10, 30, 39, 0, 1, 2, 38, 39};
        float[] v = gaussian(n * kvHeads * headDim);
        float[] kDst = new float[kvHeads * capacity * headDim], vDst = new float[kDst.length];
        float[] eK = new float[kDst.length], eV = new float[kDst.length];
        ScoringKernels.gather(k, v, kvHeads, headDim, kept, keptCount, capacity, eK, eV);
        run(new TaskGraph("gather").transferToDevice(DataTransferMode.EVERY_EXECUTION, k, v, kept)
                .task("t", ScoringKernels::gather, k, v, kvHeads, headDim, kept, keptCount, capacity, kDst, vDst)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, kDst, vDst));
        assertArrayEquals(eK, kDst, "compacted keys");
        assertArrayEquals(eV, vDst, "compacted values");
    }

    /** WindowKV's selection on the device (scores, pooling, ranking) gives the host's window order. */
    /**
     * H2O's scores: every query, so the causal mask skips keys (the window test's queries all come
     * after the keys they score). Also the window-only mask, where queries before causalFrom see
     * every key. Failed before ObservationScores.accumulate lost its masking if (pitfall 10): 536 of
     * 540 scores differed.
     */
    @Test
    void scoresOfAllQueriesHonourTheCausalMask() {
        int n = 143, heads = 4, kvHeads = 2, headDim = 128, keyCount = 135;
        float scale = (float) (1 / Math.sqrt(headDim));
        float[] q = gaussian(n * heads * headDim), k = gaussian(n * kvHeads * headDim);
        for (int causalFrom : new int[] {0, keyCount}) {
            int rows = heads * n;
            float[] rowMax = new float[rows], rowSum = new float[rows], a = new float[heads * keyCount];
            float[] eMax = new float[rows], eSum = new float[rows], eA = new float[heads * keyCount];
            ScoringKernels.rowStats(q, k, n, heads, kvHeads, headDim, 0, causalFrom, scale, eMax, eSum);
            ScoringKernels.accumulate(q, k, n, heads, kvHeads, headDim, 0, causalFrom, scale, eMax, eSum, keyCount, eA);
            run(new TaskGraph("scores" + causalFrom).transferToDevice(DataTransferMode.EVERY_EXECUTION, q, k)
                    .task("rowStats", ScoringKernels::rowStats, q, k, n, heads, kvHeads, headDim, 0, causalFrom,
                            scale, rowMax, rowSum)
                    .task("accumulate", ScoringKernels::accumulate, q, k, n, heads, kvHeads, headDim, 0,
                            causalFrom, scale, rowMax, rowSum, keyCount, a)
                    .transferToHost(DataTransferMode.EVERY_EXECUTION, rowMax, rowSum, a));
            close(eMax, rowMax, "row max, causalFrom " + causalFrom);
            close(eSum, rowSum, "row sum, causalFrom " + causalFrom);
            close(eA, a, "accumulated scores, causalFrom " + causalFrom);
        }
    }

    @Test
    void windowOrderMatchesTheHostForMaxAndAverage() {
        int n = 70, heads = 4, kvHeads = 2, headDim = 16, review = 38, windowSize = 8;
        float scale = (float) (1 / Math.sqrt(headDim));
        float[] q = gaussian(n * heads * headDim), k = gaussian(n * kvHeads * headDim);
        int rows = heads * (n - review), nWindows = (review + windowSize - 1) / windowSize;
        for (int topM : new int[] {windowSize / 2, 0}) {
            float[] rowMax = new float[rows], rowSum = new float[rows], a = new float[heads * review];
            float[] score = new float[nWindows];
            int[] expected = new int[nWindows];
            ScoringKernels.rowStats(q, k, n, heads, kvHeads, headDim, review, 0, scale, rowMax, rowSum);
            ScoringKernels.accumulate(q, k, n, heads, kvHeads, headDim, review, 0, scale, rowMax, rowSum, review, a);
            if (topM > 0) ScoringKernels.windowMax(a, heads, review, review, windowSize, topM, score, nWindows);
            else ScoringKernels.windowAverage(a, heads, review, review, windowSize, score, nWindows);
            ScoringKernels.windowOrder(score, nWindows, expected);
            try (DeviceWindowOrder device = new DeviceWindowOrder(
                    new DeviceWindowOrder.Shape(n, heads, kvHeads, headDim, review, windowSize, topM),
                    new DeviceTraffic(false))) {
                assertArrayEquals(expected, device.run(q, k), "topM " + topM);
                float[] q2 = gaussian(q.length);
                int[] again = device.run(q2, k); // the same plan, new queries
                ScoringKernels.rowStats(q2, k, n, heads, kvHeads, headDim, review, 0, scale, rowMax, rowSum);
                ScoringKernels.accumulate(q2, k, n, heads, kvHeads, headDim, review, 0, scale, rowMax, rowSum, review, a);
                if (topM > 0) ScoringKernels.windowMax(a, heads, review, review, windowSize, topM, score, nWindows);
                else ScoringKernels.windowAverage(a, heads, review, review, windowSize, score, nWindows);
                ScoringKernels.windowOrder(score, nWindows, expected);
                assertArrayEquals(expected, again, "topM " + topM + ", second run");
            }
        }
    }
}
