package dev.windowkv.engine.kvcache;

/**
 * WindowKV's review budget per layer, the "arithmetic" group decay (spec §1.3), with {@code B} the
 * nominal budget, {@code S_g} the group size and floor divisions (towards −∞, also for a negative step):
 * <pre>
 * G = L / S_g ; last = B·S_g/β ; first = 2B − last ; step = (first − last)/(G − 1)
 * group 0 → first ; group g → first − g·step (0 &lt; g &lt; G−1) ; group G−1 → last
 * </pre>
 * Two cases the reference code leaves broken are fixed here:
 * <ul>
 *   <li>{@code L % S_g ≠ 0}: the last group absorbs the remaining layers (layer {@code l} is in
 *       group {@code min(l / S_g, G − 1)}), so every layer has a budget and a group leader;</li>
 *   <li>{@code G = 1}: no decay, every layer gets {@code B} (the formula would divide by zero).</li>
 * </ul>
 */
public final class WindowKvBudgets {
    private WindowKvBudgets() {}

    /** Number of groups {@code G = L / S_g} (at least 1 when {@code S_g ≤ L}). */
    public static int groups(int nLayers, int groupSize) {
        return nLayers / groupSize;
    }

    /** The group of a layer: {@code min(l / S_g, G − 1)}. */
    public static int groupOf(int layer, int nLayers, int groupSize) {
        return Math.min(layer / groupSize, groups(nLayers, groupSize) - 1);
    }

    /** Review budget of each group. */
    public static int[] perGroup(int budget, int nLayers, int groupSize, double beta) {
        int g = groups(nLayers, groupSize);
        int[] out = new int[g];
        if (g == 1) {
            out[0] = budget;
            return out;
        }
        int last = (int) Math.floor((double) budget * groupSize / beta);
        int first = 2 * budget - last;
        // The spec's divisions floor (Python's //): with groupSize > β the step is negative, and truncation would round it up.
        int step = Math.floorDiv(first - last, g - 1);
        for (int i = 0; i < g; i++) {
            out[i] = i == 0 ? first : i == g - 1 ? last : first - i * step;
        }
        return out;
    }

    /** Review budget of each layer (its group's). */
    public static int[] perLayer(int budget, int nLayers, int groupSize, double beta) {
        int[] groups = perGroup(budget, nLayers, groupSize, beta);
        int[] out = new int[nLayers];
        for (int l = 0; l < nLayers; l++) {
            out[l] = groups[groupOf(l, nLayers, groupSize)];
        }
        return out;
    }
}
