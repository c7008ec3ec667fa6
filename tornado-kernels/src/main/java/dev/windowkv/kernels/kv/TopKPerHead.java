package dev.windowkv.kernels.kv;

/**
 * The score baselines' selection (SnapKV, PyramidKV, H2O) as two passes of independent work items,
 * without a sort, so that it runs on a device: per KV head, the {@code keep} best of the
 * {@code reviewLength} scores {@code s[kvHead][reviewLength]} in prompt order, then the recent
 * window {@code reviewLength..n-1}, the host's {@code TopK.topPlusRecent} index for index:
 * <ol>
 *   <li>{@link #place}: a score's place in the descending order, ties to the lower index, as the
 *       host's stable sort gives it (the count of scores ahead of it, as {@code WindowRanking});</li>
 *   <li>{@link #emit}: a kept token's slot is the count of kept tokens before it in the prompt.</li>
 * </ol>
 * O(reviewLength²) comparisons per head, all independent. Scores are attention masses (never NaN
 * or -0), so {@code >} and {@code ==} order them as {@code Float.compare} does. {@code keep} is at
 * most {@code reviewLength}.
 */
public final class TopKPerHead {
    private TopKPerHead() {}

    /** Work item (kvHead, i): {@code place[kvHead][i]} = the place of score i of its head. */
    public static void place(int kvHead, int i, float[] s, int reviewLength, int[] place) {
        int off = kvHead * reviewLength;
        float si = s[off + i];
        int p = 0;
        for (int u = 0; u < reviewLength; u++) {
            float su = s[off + u];
            if (su > si || (su == si && u < i)) {
                p++;
            }
        }
        place[off + i] = p;
    }

    /**
     * Work item (kvHead, i), i &lt; n: writes token i into {@code kept[kvHead][keep + n - reviewLength]}
     * if it is kept: a review token among the {@code keep} best, or a recent one.
     */
    public static void emit(int h, int i, int[] place, int reviewLength, int keep, int n, int[] kept) {
        int row = h * (keep + n - reviewLength);
        if (i >= reviewLength) {
            kept[row + keep + i - reviewLength] = i;
        } else if (place[h * reviewLength + i] < keep) {
            int slot = 0;
            for (int u = 0; u < i; u++) {
                if (place[h * reviewLength + u] < keep) {
                    slot++;
                }
            }
            kept[row + slot] = i;
        }
    }
}
