package dev.windowkv.engine.kvcache;

/**
 * PyramidKV (KVF {@code PyramidKVCluster}): SnapKV's scoring and pooling with the linear per-layer
 * budget of {@link PyramidKvBudgets} (β = 20): shallow layers keep more, deep layers less. The same
 * per-KV-head GQA rule as {@link SnapKvPolicy}.
 */
public record PyramidKvPolicy(int budget, int observationWindow, int poolingKernel, int beta) implements KvPolicy {
    public PyramidKvPolicy {
        SnapKvPolicy.checkWindowAndKernel("pyramidkv", budget, observationWindow, poolingKernel);
        if (beta <= 0) {
            throw new PolicyOptionError("pyramidkv: beta " + beta + " must be positive");
        }
    }

    @Override
    public String name() {
        return "pyramidkv";
    }

    @Override
    public Compressor start(int nLayers, int nHeads, int nKvHeads, int headDim, int promptLength, TaskType taskHint) {
        return new Compressor() {
            @Override
            public int capacity(int layer) {
                return PyramidKvBudgets.capacity(budget, observationWindow, beta, promptLength, nLayers, layer);
            }

            @Override
            public KeptTokens select(PrefillLayer layer) {
                int n = layer.n();
                int keep = PyramidKvBudgets.capacity(budget, observationWindow, beta, n, nLayers, layer.layer());
                if (keep == n) {
                    return KeptTokens.all(n);
                }
                return SnapKvPolicy.keepPooledTop(layer, observationWindow, poolingKernel, keep - observationWindow);
            }

            @Override
            public DeviceSelection deviceSelection(int layer, int n) {
                int keep = PyramidKvBudgets.capacity(budget, observationWindow, beta, n, nLayers, layer);
                return keep == n ? DeviceSelection.noScores()
                        : SnapKvPolicy.deviceTop(n, observationWindow, poolingKernel, keep - observationWindow);
            }

            @Override
            public KeptTokens selectFromDevice(int layer, int n, int nKvHeads, int[] result) {
                DeviceSelection s = deviceSelection(layer, n);
                return s.kind() == DeviceSelection.Kind.NO_SCORES ? KeptTokens.all(n) : s.keptPerKvHead(n, nKvHeads, result);
            }

            @Override
            public int queries() {
                return observationWindow;
            }
        };
    }

    /** Registers {@code pyramidkv} with {@link Policies} (see {@code META-INF/services}). */
    public static final class Provider implements KvPolicyProvider {
        @Override
        public String name() {
            return "pyramidkv";
        }

        @Override
        public KvPolicy create(PolicyOptions o) {
            return new PyramidKvPolicy(
                    o.integer("budget", PolicyDefaults.BUDGET, 1),
                    o.integer("observationWindow", PolicyDefaults.OBSERVATION_WINDOW, 1),
                    o.integer("poolingKernel", PolicyDefaults.POOLING_KERNEL, 1),
                    o.integer("beta", PolicyDefaults.PYRAMID_BETA, 1));
        }
    }
}
