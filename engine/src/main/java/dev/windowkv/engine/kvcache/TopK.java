package dev.windowkv.engine.kvcache;

import java.util.Arrays;

/**
 * Selection shared by the score-based baselines. Ties go to the lower index (PyTorch's
 * {@code topk} leaves tie order unspecified; a fixed rule makes runs reproducible).
 */
final class TopK {
    private TopK() {}

    /** Indices {@code 0..len-1} of {@code s[off..off+len)}, by descending score, ties by index (a stable sort). */
    static int[] descendingOrder(float[] s, int off, int len) {
        Integer[] idx = new Integer[len];
        Arrays.setAll(idx, i -> i);
        Arrays.sort(idx, (x, y) -> {
            int c = Float.compare(s[off + y], s[off + x]);
            return c != 0 ? c : Integer.compare(x, y);
        });
        int[] out = new int[len];
        for (int i = 0; i < len; i++) {
            out[i] = idx[i];
        }
        return out;
    }

    /**
     * The baselines' selection: per KV head the {@code keep} best of the {@code reviewLength}
     * scores in {@code scores[kvHead][reviewLength]} (returned in prompt order), then the last
     * {@code n - reviewLength} tokens (the recent window).
     */
    static KeptTokens topPlusRecent(float[] scores, int nKvHeads, int reviewLength, int keep, int n) {
        int recent = n - reviewLength;
        int[][] kept = new int[nKvHeads][keep + recent];
        for (int h = 0; h < nKvHeads; h++) {
            int[] order = descendingOrder(scores, h * reviewLength, reviewLength);
            int[] best = Arrays.copyOf(order, keep);
            Arrays.sort(best);
            System.arraycopy(best, 0, kept[h], 0, keep);
            for (int t = 0; t < recent; t++) {
                kept[h][keep + t] = reviewLength + t;
            }
        }
        return KeptTokens.perKvHead(n, kept);
    }
}
