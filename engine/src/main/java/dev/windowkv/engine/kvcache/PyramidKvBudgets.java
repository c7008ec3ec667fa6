package dev.windowkv.engine.kvcache;

/**
 * PyramidKV's per-layer budget (KVF {@code PyramidKVCluster.update_kv}), with {@code B} the
 * nominal budget, {@code w} the observation window and floor divisions:
 * <pre>
 * min = (B−w)/β ;  max = 2(B−w) − min
 * if max ≥ n−w:  max = n−w ; min = 2(B−w) − max
 * layer l keeps  max − l·⌊(max−min)/(L−1)⌋  review tokens, plus the window
 * </pre>
 * used when {@code n ≥ 2(B−w)}; a shorter prompt keeps {@code B−w} uniformly, and one shorter than
 * {@code B} is kept whole. With one layer ({@code L = 1}) the step is 0.
 */
final class PyramidKvBudgets {
    private PyramidKvBudgets() {}

    /** Review tokens layer {@code layer} keeps in the schedule branch ({@code n ≥ 2(B−w)}). */
    static int scheduledReview(int budget, int window, int beta, int n, int nLayers, int layer) {
        int base = budget - window;
        int min = base / beta;
        int max = 2 * base - min;
        if (max >= n - window) {
            max = n - window;
            min = 2 * base - max;
        }
        int steps = nLayers > 1 ? Math.floorDiv(max - min, nLayers - 1) : 0;
        return max - layer * steps;
    }

    /** Tokens layer {@code layer} holds after prefill (review + window), or {@code n} when not compressed. */
    static int capacity(int budget, int window, int beta, int n, int nLayers, int layer) {
        if (n < budget) {
            return n;
        }
        if (n < 2 * (budget - window)) {
            return budget;
        }
        return scheduledReview(budget, window, beta, n, nLayers, layer) + window;
    }
}
