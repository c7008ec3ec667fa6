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

    private final int budget;
    private final int promptLength;
    private final Selection selection;
    private final int queries;
    private final boolean causalMass;

    /**
     * @param queries    the last prompt queries {@code selection} reads ({@link Compressor#queries})
     * @param causalMass whether it reads every query's causal attention mass ({@link Compressor#causalMass})
     */
    UniformBudget(int budget, int promptLength, int queries, boolean causalMass, Selection selection) {
        this.budget = budget;
        this.promptLength = promptLength;
        this.queries = queries;
        this.causalMass = causalMass;
        this.selection = selection;
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
}
