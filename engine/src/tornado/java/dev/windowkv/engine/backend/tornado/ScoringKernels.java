package dev.windowkv.engine.backend.tornado;

import dev.windowkv.kernels.kv.KvCompaction;
import dev.windowkv.kernels.kv.MaxPool1d;
import dev.windowkv.kernels.kv.ObservationScores;
import dev.windowkv.kernels.kv.WindowPooling;
import dev.windowkv.kernels.kv.WindowRanking;
import uk.ac.manchester.tornado.api.annotations.Parallel;

/**
 * The TornadoVM tasks of compression at the end of prefill: observation-window scores, WindowKV's
 * window pooling and ranking, SnapKV's max pooling and the compaction of the kept tokens into the cache. Each
 * is a {@code @Parallel} loop over the work items of a {@code tornado-kernels/kv} body.
 */
final class ScoringKernels {
    private ScoringKernels() {}

    static void rowStats(float[] q, float[] k, int n, int nHeads, int nKvHeads, int headDim, int firstQuery,
                         int causalFrom, float scale, float[] rowMax, float[] rowSum) {
        for (@Parallel int item = 0; item < nHeads * (n - firstQuery); item++) {
            ObservationScores.rowStats(item, q, k, n, nHeads, nKvHeads, headDim, firstQuery, causalFrom, scale,
                    rowMax, rowSum);
        }
    }

    static void accumulate(float[] q, float[] k, int n, int nHeads, int nKvHeads, int headDim, int firstQuery,
                           int causalFrom, float scale, float[] rowMax, float[] rowSum, int keyCount, float[] a) {
        for (@Parallel int item = 0; item < nHeads * keyCount; item++) {
            ObservationScores.accumulate(item, q, k, n, nHeads, nKvHeads, headDim, firstQuery, causalFrom, scale,
                    rowMax, rowSum, keyCount, a);
        }
    }

    static void sumPerKvHead(float[] a, int nHeads, int nKvHeads, int len, float[] out) {
        for (@Parallel int item = 0; item < nKvHeads * len; item++) {
            ObservationScores.sumPerKvHead(item, a, nHeads, nKvHeads, len, out);
        }
    }

    static void windowMax(float[] a, int nHeads, int rowStride, int reviewLength, int windowSize, int topM,
                          float[] score, int nWindows) {
        for (@Parallel int w = 0; w < nWindows; w++) {
            WindowPooling.max(w, a, nHeads, rowStride, reviewLength, windowSize, topM, score);
        }
    }

    static void windowAverage(float[] a, int nHeads, int rowStride, int reviewLength, int windowSize, float[] score,
                              int nWindows) {
        for (@Parallel int w = 0; w < nWindows; w++) {
            WindowPooling.average(w, a, nHeads, rowStride, reviewLength, windowSize, score);
        }
    }

    /** {@code width} is MaxPool1d's kernel size; a parameter named {@code kernel} is an OpenCL keyword. */
    /** order = the windows by descending score, ties to the lower one. */
    static void windowOrder(float[] score, int nWindows, int[] order) {
        for (@Parallel int w = 0; w < nWindows; w++) {
            WindowRanking.place(w, score, nWindows, order);
        }
    }

    static void maxPool(float[] in, float[] out, int rows, int len, int width) {
        for (@Parallel int item = 0; item < rows * len; item++) {
            MaxPool1d.maxPool(item, in, out, len, width);
        }
    }

    static void gather(float[] k, float[] v, int nKvHeads, int headDim, int[] kept, int keptCount, int capacity,
                       float[] kDst, float[] vDst) {
        for (@Parallel int item = 0; item < nKvHeads * keptCount; item++) {
            KvCompaction.gatherF32(item, k, v, nKvHeads, headDim, kept, keptCount, capacity, kDst, vDst);
        }
    }

    /**
     * {@link #gather} for a kept count known only at run time ({@code count[0]}, at most
     * {@code maxKept}; 0 gathers nothing), so one compiled graph compacts whatever the policy
     * selected; {@code kept} is {@code [nKvHeads][count[0]]}.
     */
    static void gatherKept(float[] k, float[] v, int nKvHeads, int headDim, int[] kept, int[] count, int maxKept,
                           int capacity, float[] kDst, float[] vDst) {
        for (@Parallel int item = 0; item < nKvHeads * maxKept; item++) {
            int c = count[0];
            int t = item % maxKept;
            if (t < c) {
                KvCompaction.gatherF32((item / maxKept) * c + t, k, v, nKvHeads, headDim, kept, c, capacity, kDst, vDst);
            }
        }
    }
}
