package dev.windowkv.engine.backend.tornado;

import dev.windowkv.kernels.kv.MaxPool1d;
import dev.windowkv.kernels.kv.ObservationScores;
import dev.windowkv.kernels.kv.WindowPooling;
import dev.windowkv.kernels.kv.WindowRanking;
import uk.ac.manchester.tornado.api.annotations.Parallel;

/**
 * {@link ScoringKernels}' tasks for a prefill plan's bucket: the lengths are read from
 * {@code sel} (an int array sent with every execution; scalars would be compiled in as constants),
 * the loops run over the bucket's maxima and skip the rest, so one compiled plan scores every
 * prompt of its bucket. The scores are laid out compactly for the real lengths, as on the host.
 */
final class BucketScoringKernels {
    private BucketScoringKernels() {}

    /** {@code sel}'s slots. */
    static final int N = 0, FIRST_QUERY = 1, CAUSAL_FROM = 2, REVIEW = 3, WIDTH = 4, WINDOW_SIZE = 5, TOP_M = 6,
            WINDOWS = 7, SIZE = 8;

    static void rowStats(float[] q, float[] k, int[] sel, int bucket, int nHeads, int nKvHeads, int headDim,
                         float scale, float[] rowMax, float[] rowSum) {
        for (@Parallel int item = 0; item < nHeads * bucket; item++) {
            int nQueries = sel[N] - sel[FIRST_QUERY];
            int qi = item % bucket;
            if (qi < nQueries) {
                ObservationScores.rowStats((item / bucket) * nQueries + qi, q, k, sel[N], nHeads, nKvHeads, headDim,
                        sel[FIRST_QUERY], sel[CAUSAL_FROM], scale, rowMax, rowSum);
            }
        }
    }

    /** {@code a[nHeads][review]}: the attention mass of each review key. */
    static void accumulate(float[] q, float[] k, int[] sel, int bucket, int nHeads, int nKvHeads, int headDim,
                           float scale, float[] rowMax, float[] rowSum, float[] a) {
        for (@Parallel int item = 0; item < nHeads * bucket; item++) {
            int review = sel[REVIEW];
            int j = item % bucket;
            if (j < review) {
                ObservationScores.accumulate((item / bucket) * review + j, q, k, sel[N], nHeads, nKvHeads, headDim,
                        sel[FIRST_QUERY], sel[CAUSAL_FROM], scale, rowMax, rowSum, review, a);
            }
        }
    }

    /** Max pooling along each head's {@code review} scores, kernel {@code sel[WIDTH]} (1 copies). */
    static void maxPool(float[] a, int[] sel, int bucket, int nHeads, float[] pooled) {
        for (@Parallel int item = 0; item < nHeads * bucket; item++) {
            int review = sel[REVIEW];
            int j = item % bucket;
            if (j < review) {
                MaxPool1d.maxPool((item / bucket) * review + j, a, pooled, review, sel[WIDTH]);
            }
        }
    }

    /** {@code perKv[nKvHeads][review]}: the scores summed over each KV head's query heads. */
    static void sumPerKvHead(float[] a, int[] sel, int bucket, int nHeads, int nKvHeads, float[] perKv) {
        for (@Parallel int item = 0; item < nKvHeads * bucket; item++) {
            int review = sel[REVIEW];
            int j = item % bucket;
            if (j < review) {
                ObservationScores.sumPerKvHead((item / bucket) * review + j, a, nHeads, nKvHeads, review, perKv);
            }
        }
    }

    /** WindowKV's {@code max} pooling of {@code sel[WINDOWS]} windows (when {@code sel[TOP_M] > 0}). */
    static void windowMax(float[] a, int[] sel, int bucket, int nHeads, float[] score) {
        for (@Parallel int w = 0; w < bucket; w++) {
            if (w < sel[WINDOWS] && sel[TOP_M] > 0) {
                WindowPooling.max(w, a, nHeads, sel[REVIEW], sel[REVIEW], sel[WINDOW_SIZE], sel[TOP_M], score);
            }
        }
    }

    /** WindowKV's {@code average} pooling (when {@code sel[TOP_M] == 0}). */
    static void windowAverage(float[] a, int[] sel, int bucket, int nHeads, float[] score) {
        for (@Parallel int w = 0; w < bucket; w++) {
            if (w < sel[WINDOWS] && sel[TOP_M] == 0) {
                WindowPooling.average(w, a, nHeads, sel[REVIEW], sel[REVIEW], sel[WINDOW_SIZE], score);
            }
        }
    }

    /** order = the windows by descending score, ties to the lower one. */
    static void windowOrder(float[] score, int[] sel, int bucket, int[] order) {
        for (@Parallel int w = 0; w < bucket; w++) {
            if (w < sel[WINDOWS]) {
                WindowRanking.place(w, score, sel[WINDOWS], order);
            }
        }
    }
}
