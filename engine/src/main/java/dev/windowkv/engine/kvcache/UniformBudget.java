package dev.windowkv.engine.kvcache;

/**
 * The compressor of the baselines with one budget for every layer: at most {@code budget} tokens
 * per layer, and the whole prompt when it fits (no compression).
 */
final class UniformBudget implements Compressor {
    /** How a policy picks its tokens once the prompt is longer than the budget. */
    @FunctionalInterface
    interface Selection {
        KeptTokens compress(PrefillLayer layer);
    }

    /** A selection that reads nothing but the prompt's length (StreamingLLM). */
    @FunctionalInterface
    interface FromLength {
        KeptTokens compress(int n, int nKvHeads);
    }

    private final int budget;
    private final int promptLength;
    private final Selection selection;
    private final java.util.function.IntFunction<DeviceSelection> device; // per n > budget; null: host only
    private final FromLength fromLength; // non-null when the selection needs no scores

    UniformBudget(int budget, int promptLength, Selection selection) {
        this(budget, promptLength, selection, null, null);
    }

    /** {@code topK(n)}: the same selection as {@code selection}, as a device computes it ({@link DeviceSelection.Kind#TOP_K}). */
    UniformBudget(int budget, int promptLength, Selection selection, java.util.function.IntFunction<DeviceSelection> topK) {
        this(budget, promptLength, selection, topK, null);
    }

    private UniformBudget(int budget, int promptLength, Selection selection,
                          java.util.function.IntFunction<DeviceSelection> device, FromLength fromLength) {
        this.budget = budget;
        this.promptLength = promptLength;
        this.selection = selection;
        this.device = device;
        this.fromLength = fromLength;
    }

    /** A selection by position only: a device prefill sends nothing back for it. */
    static UniformBudget fromLength(int budget, int promptLength, FromLength f) {
        return new UniformBudget(budget, promptLength, layer -> f.compress(layer.n(), layer.nKvHeads()),
                null, f);
    }

    @Override
    public int capacity(int layer) {
        return Math.min(promptLength, budget);
    }

    @Override
    public KeptTokens select(PrefillLayer layer) {
        return layer.n() <= budget ? KeptTokens.all(layer.n()) : selection.compress(layer);
    }

    @Override
    public DeviceSelection deviceSelection(int layer, int n) {
        if (n <= budget || fromLength != null) return DeviceSelection.noScores();
        return device == null ? null : device.apply(n);
    }

    @Override
    public KeptTokens selectFromDevice(int layer, int n, int nKvHeads, int[] result) {
        if (n <= budget) return KeptTokens.all(n);
        if (fromLength != null) return fromLength.compress(n, nKvHeads);
        return device.apply(n).keptPerKvHead(n, nKvHeads, result);
    }
}
