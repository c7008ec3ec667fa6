package dev.windowkv.engine.kvcache;

/**
 * H2O, prefill-only as in KVF {@code H2OKVCluster}: the softmax attention of <em>all</em> prompt
 * queries, summed over the queries (no pooling); per KV head keep the top
 * {@code budget - observationWindow} earlier tokens plus the last {@code observationWindow}.
 * A prompt of at most {@code budget} tokens is kept whole.
 *
 * <p>{@code windowOnlyMask = false} (default) uses the correct causal mask.
 * {@code windowOnlyMask = true} reproduces KVF at 7ee6be0 (issue #49), whose mask covered only the
 * last window×window block, so earlier queries also attended to later keys; the paper's H2O
 * numbers were probably produced that way.
 *
 * <p>GQA: KVF selects per query head after {@code repeat_kv}; the cache here keeps KV heads only,
 * so each KV head selects with the scores summed over its query heads.
 */
public record H2oPolicy(int budget, int observationWindow, boolean windowOnlyMask) implements KvPolicy {
    public H2oPolicy {
        if (budget <= observationWindow) {
            throw new PolicyOptionError("h2o: budget " + budget + " must exceed observationWindow " + observationWindow);
        }
    }

    @Override
    public String name() {
        return "h2o";
    }

    @Override
    public String describe() {
        return "h2o budget=" + budget + " observationWindow=" + observationWindow + " mask=" + (windowOnlyMask ? "window" : "causal");
    }

    @Override
    public Compressor start(int nLayers, int nHeads, int nKvHeads, int headDim, int promptLength, TaskType taskHint) {
        // Causal: every query's mass, summed chunk by chunk. KVF's window mask lets early queries see
        // later keys, so no chunk has their whole row: that mode keeps every query (one-chunk prefill).
        return new UniformBudget(budget, promptLength, windowOnlyMask ? Integer.MAX_VALUE : 0, !windowOnlyMask, layer -> {
            int n = layer.n();
            int review = n - observationWindow;
            int causalFrom = windowOnlyMask ? review : 0;
            float[] a = AttentionScores.accumulated(layer, 0, causalFrom, review);
            float[] perKv = AttentionScores.perKvHead(a, layer, review);
            return TopK.topPlusRecent(perKv, layer.nKvHeads(), review, budget - observationWindow, n);
        }, n -> {
            int review = n - observationWindow;
            return DeviceSelection.topK(0, windowOnlyMask ? review : 0, review, 1, budget - observationWindow);
        });
    }

    /** Registers {@code h2o} with {@link Policies} (see {@code META-INF/services}). */
    public static final class Provider implements KvPolicyProvider {
        @Override
        public String name() {
            return "h2o";
        }

        @Override
        public KvPolicy create(PolicyOptions o) {
            return new H2oPolicy(
                    o.integer("budget", PolicyDefaults.BUDGET, 1),
                    o.integer("observationWindow", PolicyDefaults.OBSERVATION_WINDOW, 1),
                    o.choice("mask", "causal", java.util.List.of("causal", "window")).equals("window"));
        }
    }
}
