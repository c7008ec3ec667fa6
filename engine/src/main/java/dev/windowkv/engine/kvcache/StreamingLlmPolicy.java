package dev.windowkv.engine.kvcache;

/**
 * StreamingLLM (KVF {@code StreamingLLMKVCluster}): keeps the first {@code sinkTokens} (attention
 * sinks) and the most recent {@code budget - sinkTokens}; no scores. A prompt of at most
 * {@code budget} tokens is kept whole.
 */
public record StreamingLlmPolicy(int budget, int sinkTokens) implements KvPolicy {
    public StreamingLlmPolicy {
        if (budget <= sinkTokens) {
            throw new PolicyOptionError("streamingllm: budget " + budget + " must exceed sinkTokens " + sinkTokens);
        }
    }

    @Override
    public String name() {
        return "streamingllm";
    }

    @Override
    public Compressor start(int nLayers, int nHeads, int nKvHeads, int headDim, int promptLength, TaskType taskHint) {
        return new UniformBudget(budget, promptLength, 0, false, layer -> {
            int n = layer.n();
            int recent = budget - sinkTokens;
            int[] kept = new int[budget];
            for (int t = 0; t < sinkTokens; t++) {
                kept[t] = t;
            }
            for (int t = 0; t < recent; t++) {
                kept[sinkTokens + t] = n - recent + t;
            }
            return KeptTokens.shared(n, kept, layer.nKvHeads());
        });
    }

    /** Registers {@code streamingllm} with {@link Policies} (see {@code META-INF/services}). */
    public static final class Provider implements KvPolicyProvider {
        @Override
        public String name() {
            return "streamingllm";
        }

        @Override
        public KvPolicy create(PolicyOptions o) {
            return new StreamingLlmPolicy(
                    o.integer("budget", PolicyDefaults.BUDGET, 1),
                    o.integer("sinkTokens", PolicyDefaults.SINK_TOKENS, 0));
        }
    }
}
