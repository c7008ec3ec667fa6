package dev.windowkv.engine.kvcache;

/**
 * SnapKV (KVF {@code SnapKVCluster}): the last {@code observationWindow} queries attend (causal
 * inside the window) over the prompt; the probabilities are summed over those queries, max-pooled
 * along the keys ({@code poolingKernel}, padding kernel/2, stride 1), and per KV head the top
 * {@code budget - observationWindow} earlier tokens are kept plus the window. A prompt of at most
 * {@code budget} tokens is kept whole (KVF compresses at {@code n == budget} too, keeping every token).
 *
 * <p>GQA: scores are pooled per query head, then summed over the query heads of each KV head,
 * which selects once per KV head (KVF selects per expanded query head).
 */
public record SnapKvPolicy(int budget, int observationWindow, int poolingKernel) implements KvPolicy {
    public SnapKvPolicy {
        checkWindowAndKernel("snapkv", budget, observationWindow, poolingKernel);
    }

    static void checkWindowAndKernel(String policy, int budget, int observationWindow, int poolingKernel) {
        if (budget <= observationWindow) {
            throw new PolicyOptionError(policy + ": budget " + budget + " must exceed observationWindow " + observationWindow);
        }
        if (poolingKernel <= 0 || poolingKernel % 2 == 0) {
            throw new PolicyOptionError(policy + ": poolingKernel " + poolingKernel + " must be a positive odd number");
        }
    }

    @Override
    public String name() {
        return "snapkv";
    }

    @Override
    public Compressor start(int nLayers, int nHeads, int nKvHeads, int headDim, int promptLength, TaskType taskHint) {
        return new UniformBudget(budget, promptLength, observationWindow, false,
                layer -> keepPooledTop(layer, observationWindow, poolingKernel, budget - observationWindow),
                n -> deviceTop(n, observationWindow, poolingKernel, budget - observationWindow));
    }

    /** SnapKV's score → pool → select, keeping {@code keep} review tokens per KV head plus the window. */
    static KeptTokens keepPooledTop(PrefillLayer layer, int observationWindow, int poolingKernel, int keep) {
        int n = layer.n();
        int review = n - observationWindow;
        float[] a = AttentionScores.accumulated(layer, review, 0, review);
        float[] pooled = AttentionScores.maxPool(a, layer.nHeads(), review, poolingKernel, layer.backend());
        float[] perKv = AttentionScores.perKvHead(pooled, layer, review);
        return TopK.topPlusRecent(perKv, layer.nKvHeads(), review, keep, n);
    }

    /** {@link #keepPooledTop} as a device computes it. */
    static DeviceSelection deviceTop(int n, int observationWindow, int poolingKernel, int keep) {
        int review = n - observationWindow;
        return DeviceSelection.topK(review, 0, review, poolingKernel, keep);
    }

    /** Registers {@code snapkv} with {@link Policies} (see {@code META-INF/services}). */
    public static final class Provider implements KvPolicyProvider {
        @Override
        public String name() {
            return "snapkv";
        }

        @Override
        public KvPolicy create(PolicyOptions o) {
            return new SnapKvPolicy(
                    o.integer("budget", PolicyDefaults.BUDGET, 1),
                    o.integer("observationWindow", PolicyDefaults.OBSERVATION_WINDOW, 1),
                    o.integer("poolingKernel", PolicyDefaults.POOLING_KERNEL, 1));
        }
    }
}
