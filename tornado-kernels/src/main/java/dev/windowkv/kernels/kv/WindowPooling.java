package dev.windowkv.kernels.kv;

import dev.windowkv.kernels.KMath;

/**
 * WindowKV's window score (spec §1.5): one scalar per review window, shared by every head.
 * Windows are fixed partitions aligned at 0: window {@code k} = {@code [k·w, min((k+1)·w, R))}.
 * Scores {@code a} are laid out {@code [nHeads][rowStride]} with the review keys first.
 */
public final class WindowPooling {
    private WindowPooling() {}

    /** {@code average} (aggregation tasks): mean of {@code a[h][j]} over all heads and positions. */
    public static void average(int window, float[] a, int nHeads, int rowStride, int reviewLength,
                               int windowSize, float[] score) {
        int start = window * windowSize;
        int end = KMath.min(start + windowSize, reviewLength);
        float sum = 0f;
        for (int h = 0; h < nHeads; h++) {
            for (int j = start; j < end; j++) {
                sum += a[h * rowStride + j];
            }
        }
        score[window] = sum / (nHeads * (end - start));
    }

    /**
     * {@code max} (localization/QA tasks): per head the mean of its top {@code m = min(topM,
     * |window|)} values, averaged over heads; {@code topM} is {@code w/2} in WindowKV. Ties at the
     * m-th value are broken by position (the lower index counts), which never changes the sum.
     */
    public static void max(int window, float[] a, int nHeads, int rowStride, int reviewLength,
                           int windowSize, int topM, float[] score) {
        int start = window * windowSize;
        int end = KMath.min(start + windowSize, reviewLength);
        int m = KMath.min(topM, end - start);
        float sum = 0f;
        for (int h = 0; h < nHeads; h++) {
            int row = h * rowStride;
            for (int j = start; j < end; j++) {
                float v = a[row + j];
                int rank = 0;
                for (int t = start; t < end; t++) {
                    float u = a[row + t];
                    if (u > v || (u == v && t < j)) {
                        rank++;
                    }
                }
                if (rank < m) {
                    sum += v;
                }
            }
        }
        score[window] = sum / (nHeads * m);
    }
}
