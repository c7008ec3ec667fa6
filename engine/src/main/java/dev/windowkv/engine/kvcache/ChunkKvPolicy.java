package dev.windowkv.engine.kvcache;

import java.util.Arrays;

/**
 * ChunkKV (Liu et al. 2025): the review tokens (all but the last {@code w}, the observation window)
 * are cut into fixed chunks of {@code chunkSize} (the last may be shorter); a chunk's score is the
 * window's attention to its tokens, summed over the window's queries, the chunk's tokens and every
 * query head of the layer, so one selection serves all KV heads; the best
 * {@code ⌊(B − w)/chunkSize⌋} chunks are kept, in prompt order, plus the window. No pooling.
 *
 * <p>Layer-wise index reuse: layers form groups of {@code reuseDepth} consecutive layers, and the
 * first layer of each group selects for the whole group (1 = every layer selects). Ties go to the
 * lower chunk. A prompt of at most {@code budget} tokens is kept whole; budget left over by
 * {@code (B − w) mod chunkSize} goes unused, as in the paper.
 */
public record ChunkKvPolicy(int budget, int observationWindow, int chunkSize, int reuseDepth) implements KvPolicy {
    public ChunkKvPolicy {
        if (budget <= observationWindow) {
            throw new PolicyOptionError("chunkkv: budget " + budget + " must exceed observationWindow " + observationWindow);
        }
        if (chunkSize <= 0 || reuseDepth <= 0) {
            throw new PolicyOptionError("chunkkv: chunkSize and reuseDepth must be positive");
        }
        if (chunkSize > budget - observationWindow) {
            throw new PolicyOptionError("chunkkv: chunkSize " + chunkSize + " does not fit in budget − observationWindow = "
                    + (budget - observationWindow) + "; lower chunkSize or raise budget");
        }
    }

    @Override
    public String name() {
        return "chunkkv";
    }

    /** Chunks kept per layer. */
    int keptChunks() {
        return (budget - observationWindow) / chunkSize;
    }

    @Override
    public Compressor start(int nLayers, int nHeads, int nKvHeads, int headDim, int promptLength, TaskType taskHint) {
        int[][] groupChunks = new int[Math.ceilDiv(nLayers, reuseDepth)][]; // per sample, set by each group's first layer
        return new Compressor() {
            @Override
            public int capacity(int layer) {
                return promptLength <= budget ? promptLength : keptChunks() * chunkSize + observationWindow;
            }

            @Override
            public KeptTokens select(PrefillLayer layer) {
                int n = layer.n();
                if (n <= budget) return KeptTokens.all(n);
                int review = n - observationWindow;
                int group = layer.layer() / reuseDepth;
                if (layer.layer() % reuseDepth == 0) {
                    groupChunks[group] = chooseChunks(layer, review);
                } else if (groupChunks[group] == null) {
                    throw new IllegalStateException("layer " + layer.layer() + " selected before layer " + group * reuseDepth);
                }
                int[] chunks = groupChunks[group];
                int[] kept = new int[chunks.length * chunkSize + observationWindow];
                int t = 0;
                for (int c : chunks) {
                    for (int j = c * chunkSize; j < Math.min((c + 1) * chunkSize, review); j++) kept[t++] = j;
                }
                for (int j = review; j < n; j++) kept[t++] = j;
                return KeptTokens.shared(n, Arrays.copyOf(kept, t), layer.nKvHeads());
            }

            @Override
            public int queries() {
                return observationWindow;
            }
        };
    }

    private int[] chooseChunks(PrefillLayer layer, int review) {
        float[] a = AttentionScores.accumulated(layer, review, 0, review);
        int nChunks = Math.ceilDiv(review, chunkSize);
        float[] score = new float[nChunks];
        for (int h = 0; h < layer.nHeads(); h++) {
            for (int j = 0; j < review; j++) score[j / chunkSize] += a[h * review + j];
        }
        int[] best = Arrays.copyOf(TopK.descendingOrder(score, 0, nChunks), Math.min(keptChunks(), nChunks));
        Arrays.sort(best);
        return best;
    }

    /** Registers {@code chunkkv} with {@link Policies} (see {@code META-INF/services}). */
    public static final class Provider implements KvPolicyProvider {
        @Override
        public String name() {
            return "chunkkv";
        }

        @Override
        public KvPolicy create(PolicyOptions o) {
            return new ChunkKvPolicy(
                    o.integer("budget", PolicyDefaults.BUDGET, 1),
                    o.integer("observationWindow", PolicyDefaults.OBSERVATION_WINDOW, 1),
                    o.integer("chunkSize", PolicyDefaults.CHUNK_SIZE, 1),
                    o.integer("reuseDepth", PolicyDefaults.CHUNK_REUSE_DEPTH, 1));
        }
    }
}
