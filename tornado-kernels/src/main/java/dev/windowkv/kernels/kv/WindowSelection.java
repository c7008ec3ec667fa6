package dev.windowkv.kernels.kv;

/**
 * WindowKV's kept tokens from its window order (spec §1.9), as the policy lists them on the host:
 * the first {@code keptWindows} windows of {@code order} (best first), each window's review tokens
 * in prompt order, then the suffix {@code review..n-1}. The last window may be short
 * ({@code review} need not be a multiple of {@code windowSize}). The same tokens for every KV head,
 * written as {@code kept[kvHead][count]} with {@code count[0]} set: the layout the device
 * compaction ({@code KvCompaction.gatherF32}, the tornado backend's {@code gatherKept}) reads, so
 * selection and compaction chain on the device and nothing comes back.
 */
public final class WindowSelection {
    private WindowSelection() {}

    /** Kept tokens in all: the kept windows' lengths plus the suffix. */
    public static int count(int[] order, int keptWindows, int windowSize, int review, int n) {
        int c = n - review;
        for (int p = 0; p < keptWindows; p++) {
            c += windowLength(order[p], windowSize, review);
        }
        return c;
    }

    /**
     * Work item (kvHead h, place p), p &le; keptWindows: writes the tokens of the window at place p of
     * the order, or (p = keptWindows) the suffix; item (0, 0) also writes {@code count[0]}.
     */
    public static void emit(int h, int p, int[] order, int keptWindows, int windowSize, int review, int n,
                            int[] kept, int[] count) {
        int total = count(order, keptWindows, windowSize, review, n);
        if (h == 0 && p == 0) {
            count[0] = total;
        }
        int slot = 0;
        for (int u = 0; u < p; u++) {
            slot += windowLength(order[u], windowSize, review);
        }
        int row = h * total;
        if (p < keptWindows) {
            int first = order[p] * windowSize;
            int len = windowLength(order[p], windowSize, review);
            for (int j = 0; j < len; j++) kept[row + slot + j] = first + j;
        } else {
            for (int j = review; j < n; j++) kept[row + slot + j - review] = j;
        }
    }

    private static int windowLength(int w, int windowSize, int review) {
        int first = w * windowSize;
        int end = first + windowSize;
        return (end < review ? end : review) - first;
    }
}
