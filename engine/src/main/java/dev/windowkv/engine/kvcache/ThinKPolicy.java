package dev.windowkv.engine.kvcache;

import java.util.Map;

/**
 * ThinK (Xu et al. 2024): query-driven pruning of key channels, on top of any token policy
 * ({@code inner}). Per layer and KV head, channel {@code d} scores {@code ‖Q_obs[:, d]‖ · ‖K[:, d]‖}
 * (the Frobenius norm of that channel's part of {@code Q_obs Kᵀ}), with {@code Q_obs} the last
 * {@code queryWindow} prompt queries (default 8, KVF's observation window) of the head's query heads and {@code K} all prompt keys
 * of the head; the best {@code ⌊(1 − pruneRatio)·headDim⌋} channels are kept (ties to the lower
 * channel) and the others pruned from the kept prompt keys.
 *
 * <p>The cache zeroes the pruned channels instead of removing them (its layout has one head
 * dimension), which gives the same attention logits as removing them from keys and queries; its
 * byte count leaves them out, as the paper accounts them. As in ThinK's code, only the prompt's
 * keys are pruned: keys of generated tokens keep every channel, and values are never pruned.
 */
public record ThinKPolicy(KvPolicy inner, double pruneRatio, int queryWindow) implements KvPolicy {
    public ThinKPolicy {
        if (!(pruneRatio >= 0 && pruneRatio < 1)) {
            throw new PolicyOptionError("think: pruneRatio " + pruneRatio + " must be in [0, 1)");
        }
        if (queryWindow <= 0) {
            throw new PolicyOptionError("think: queryWindow must be positive");
        }
    }

    @Override
    public String name() {
        return "think";
    }

    /** Key channels kept per KV head. */
    int keptChannels(int headDim) {
        return Math.max(1, (int) Math.floor((1 - pruneRatio) * headDim));
    }

    @Override
    public Compressor start(int nLayers, int nHeads, int nKvHeads, int headDim, int promptLength, TaskType taskHint) {
        Compressor tokens = inner.start(nLayers, nHeads, nKvHeads, headDim, promptLength, taskHint);
        return new Compressor() {
            @Override
            public int capacity(int layer) {
                return tokens.capacity(layer);
            }

            @Override
            public KeptTokens select(PrefillLayer layer) {
                KeptTokens kept = tokens.select(layer);
                KeptTokens base = kept == null ? KeptTokens.all(layer.n()) : kept;
                return base.withPrunedKeyChannels(prunedChannels(layer));
            }

            @Override
            public int queries() {
                return Math.max(tokens.queries(), queryWindow);
            }

            @Override
            public boolean causalMass() {
                return tokens.causalMass();
            }
        };
    }

    /** {@code [kvHead][channel]}: true where ThinK prunes. */
    boolean[][] prunedChannels(PrefillLayer l) {
        int n = l.n(), d = l.headDim(), nHeads = l.nHeads(), nKv = l.nKvHeads(), group = nHeads / nKv;
        int first = Math.max(0, n - queryWindow);
        int keep = keptChannels(d);
        boolean[][] pruned = new boolean[nKv][d];
        for (int g = 0; g < nKv; g++) {
            float[] score = new float[d];
            for (int c = 0; c < d; c++) {
                double qq = 0, kk = 0;
                for (int t = first; t < n; t++) {
                    for (int h = g * group; h < (g + 1) * group; h++) {
                        double x = l.q()[l.queryOffset(t, h) + c];
                        qq += x * x;
                    }
                }
                for (int t = 0; t < n; t++) {
                    double x = l.k()[(t * nKv + g) * d + c];
                    kk += x * x;
                }
                score[c] = (float) (Math.sqrt(qq) * Math.sqrt(kk));
            }
            int[] order = TopK.descendingOrder(score, 0, d);
            for (int r = keep; r < d; r++) pruned[g][order[r]] = true;
        }
        return pruned;
    }

    /**
     * Registers {@code think} with {@link Policies}: options pruneRatio, queryWindow and inner (the
     * token policy, default snapkv), which gets every other option.
     */
    public static final class Provider implements KvPolicyProvider {
        @Override
        public String name() {
            return "think";
        }

        @Override
        public KvPolicy create(PolicyOptions o) {
            double ratio = o.decimal("pruneRatio", PolicyDefaults.THINK_PRUNE_RATIO, 0, 1);
            String innerName = o.text("inner", "snapkv");
            if (innerName.equalsIgnoreCase("think")) {
                throw o.error("inner=think: give a token policy (snapkv, windowkv, ...)");
            }
            int window = o.integer("queryWindow", PolicyDefaults.OBSERVATION_WINDOW, 1);
            Map<String, String> rest = o.rest();
            return new ThinKPolicy(Policies.create(innerName, rest), ratio, window);
        }
    }
}
