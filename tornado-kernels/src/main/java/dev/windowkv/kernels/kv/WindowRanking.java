package dev.windowkv.kernels.kv;

/**
 * WindowKV's window order (spec §1.9): the windows by descending score, ties to the lower window,
 * as a stable sort gives it. One window per work item, without a sort: a window's place is the
 * number of windows ahead of it, and the places are a permutation, so every item writes its own
 * slot of {@code order}. O(W²) comparisons, which is nothing next to the scoring for the window
 * counts WindowKV sees. Scores are sums of probabilities (never NaN or -0), so {@code >} and
 * {@code ==} order them as {@code Float.compare} does.
 */
public final class WindowRanking {
    private WindowRanking() {}

    /** Work item {@code window}: {@code order[place] = window}, place counted over {@code score[0..nWindows)}. */
    public static void place(int window, float[] score, int nWindows, int[] order) {
        float s = score[window];
        int place = 0;
        for (int u = 0; u < nWindows; u++) {
            float t = score[u];
            if (t > s || (t == s && u < window)) {
                place++;
            }
        }
        order[place] = window;
    }
}
