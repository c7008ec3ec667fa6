package dev.windowkv.engine.kvcache;

import java.util.function.IntFunction;

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
    private final int queries;
    private final boolean causalMass;
    private final IntFunction<DeviceSelection> device; // per n > budget; null: host only
    private final FromLength fromLength; // non-null when the selection needs no scores

    /**
     * @param queries    the last prompt queries {@code selection} reads ({@link Compressor#queries})
     * @param causalMass whether it reads every query's causal attention mass ({@link Compressor#causalMass})
     */
    UniformBudget(int budget, int promptLength, int queries, boolean causalMass, Selection selection) {
        this(budget, promptLength, queries, causalMass, selection, null, null);
    }

    /** {@code topK(n)}: the same selection as {@code selection}, as a device computes it ({@link DeviceSelection.Kind#TOP_K}). */
    UniformBudget(int budget, int promptLength, int queries, boolean causalMass, Selection selection,
                  IntFunction<DeviceSelection> topK) {
        this(budget, promptLength, queries, causalMass, selection, topK, null);
    }

    private UniformBudget(int budget, int promptLength, int queries, boolean causalMass, Selection selection,
                          IntFunction<DeviceSelection> device, FromLength fromLength) {
        this.budget = budget;
        this.promptLength = promptLength;
        this.queries = queries;
        this.causalMass = causalMass;
        this.selection = selection;
        this.device = device;
        this.fromLength = fromLength;
    }

    /** A selection by position only: a device prefill sends nothing back for it. */
    static UniformBudget fromLength(int budget, int promptLength, FromLength f) {
        return new UniformBudget(budget, promptLength, 0, false, layer -> f.compress(layer.n(), layer.nKvHeads()),
                null, f);
    }

    @Override
    public int queries() {
        return queries;
    }

    @Override
    public boolean causalMass() {
        return causalMass;
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
