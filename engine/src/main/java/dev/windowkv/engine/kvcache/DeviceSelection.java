package dev.windowkv.engine.kvcache;

/**
 * What a device that already holds a layer's post-RoPE queries and keys (a device prefill) computes
 * so that only the policy's selection comes back, never the queries (issue 16). A compressor offers
 * it per layer ({@link Compressor#deviceSelection}) and turns the device's result into kept tokens
 * ({@link Compressor#selectFromDevice}); the same tokens as {@link Compressor#select} on the host.
 */
public record DeviceSelection(Kind kind, int firstQuery, int causalFrom, int review, int poolingKernel, int keep,
                              int windowSize, int topM) {
    public enum Kind {
        /** The policy selects from the prompt's length alone (FullKV, StreamingLLM, a prompt within budget): no result. */
        NO_SCORES,
        /**
         * The baselines' selection: the attention mass of queries {@code firstQuery..n-1} over keys
         * {@code 0..review-1} ({@code Backend.attentionMass}, causal from {@code causalFrom}), max-pooled
         * along the keys per query head ({@code poolingKernel}; 1 is none), summed over each KV head's
         * query heads; per KV head the {@code keep} best in prompt order, then tokens {@code review..n-1}
         * ({@code TopK.topPlusRecent}). Result: {@code kept[nKvHeads][keep + n - review]}.
         */
        TOP_K,
        /**
         * WindowKV's window order ({@code Backend.windowOrder}): the suffix {@code review..n-1} scores
         * the review tokens, windows of {@code windowSize} pooled by {@code topM} (0: average). Result:
         * every window, best first.
         */
        WINDOW_ORDER
    }

    private static final DeviceSelection NO_SCORES = new DeviceSelection(Kind.NO_SCORES, 0, 0, 0, 1, 0, 0, 0);

    public static DeviceSelection noScores() {
        return NO_SCORES;
    }

    public static DeviceSelection topK(int firstQuery, int causalFrom, int review, int poolingKernel, int keep) {
        return new DeviceSelection(Kind.TOP_K, firstQuery, causalFrom, review, poolingKernel, keep, 0, 0);
    }

    public static DeviceSelection windowOrder(int review, int windowSize, int topM) {
        return new DeviceSelection(Kind.WINDOW_ORDER, review, 0, review, 1, 0, windowSize, topM);
    }

    /** The kept tokens of a {@link Kind#TOP_K} result for an {@code n}-token prompt. */
    KeptTokens keptPerKvHead(int n, int nKvHeads, int[] result) {
        int row = keep + n - review;
        if (result.length != nKvHeads * row) {
            throw new IllegalArgumentException("a top-k result of " + result.length + " indices for " + nKvHeads
                    + " KV heads of " + row);
        }
        int[][] kept = new int[nKvHeads][];
        for (int h = 0; h < nKvHeads; h++) kept[h] = java.util.Arrays.copyOfRange(result, h * row, (h + 1) * row);
        return KeptTokens.perKvHead(n, kept);
    }
}
