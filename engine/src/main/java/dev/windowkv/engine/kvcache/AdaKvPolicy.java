package dev.windowkv.engine.kvcache;

import java.util.Arrays;

/**
 * Ada-KV (Feng et al. 2024) on SnapKV's scores, as KVCache-Factory's {@code adakv} with its
 * safeguard: each layer has a total review budget {@code H·(B − w)} over its {@code H} KV heads,
 * and heads whose scores are concentrated give budget to heads whose scores are spread. Per layer:
 * <ol>
 *   <li>score as {@link SnapKvPolicy} (window attention summed over the window's queries, max-pooled,
 *       summed over each KV head's query heads);</li>
 *   <li>every head first takes its own top {@code ⌊floorAlpha·(B − w)⌋} tokens (the safeguard
 *       floor);</li>
 *   <li>the rest of the layer's budget goes to the best remaining scores over all heads jointly;</li>
 *   <li>each head keeps what it selected, plus the window {@code w}.</li>
 * </ol>
 * Heads then keep different counts ({@link KeptTokens#ragged}); the cache holds a length per head.
 * Scores are comparable across heads because each query's probabilities sum to one in every head.
 * Ties go to the lower head, then the lower index. A prompt of at most {@code budget} is kept whole.
 */
public record AdaKvPolicy(int budget, int observationWindow, int poolingKernel, double floorAlpha) implements KvPolicy {
    public AdaKvPolicy {
        SnapKvPolicy.checkWindowAndKernel("adakv", budget, observationWindow, poolingKernel);
        if (!(floorAlpha >= 0 && floorAlpha <= 1)) {
            throw new PolicyOptionError("adakv: floorAlpha " + floorAlpha + " must be in [0, 1]");
        }
    }

    @Override
    public String name() {
        return "adakv";
    }

    /** Review tokens every head keeps at least. */
    int floor() {
        return (int) Math.floor(floorAlpha * (budget - observationWindow));
    }

    @Override
    public Compressor start(int nLayers, int nHeads, int nKvHeads, int headDim, int promptLength, TaskType taskHint) {
        return new Compressor() {
            @Override
            public int capacity(int layer) {
                if (promptLength <= budget) return promptLength;
                int review = promptLength - observationWindow;
                int most = nKvHeads * (budget - observationWindow) - (nKvHeads - 1) * floor(); // one head takes all the rest
                return Math.min(review, most) + observationWindow;
            }

            @Override
            public KeptTokens select(PrefillLayer layer) {
                return layer.n() <= budget ? KeptTokens.all(layer.n()) : allocate(layer);
            }

            @Override
            public int queries() {
                return observationWindow;
            }
        };
    }

    private KeptTokens allocate(PrefillLayer layer) {
        int n = layer.n();
        int review = n - observationWindow;
        int heads = layer.nKvHeads();
        float[] a = AttentionScores.accumulated(layer, review, 0, review);
        float[] pooled = AttentionScores.maxPool(a, layer.nHeads(), review, poolingKernel, layer.backend());
        float[] scores = AttentionScores.perKvHead(pooled, layer, review);
        int floor = floor();
        int[][] order = new int[heads][];
        int[] count = new int[heads];
        for (int h = 0; h < heads; h++) {
            order[h] = TopK.descendingOrder(scores, h * review, review);
            count[h] = floor;
        }
        // The rest of the budget: the best scores past each head's floor, over all heads together.
        int rest = heads * (budget - observationWindow - floor);
        int[] candidates = new int[heads * (review - floor)]; // h * review + rank
        int c = 0;
        for (int h = 0; h < heads; h++) {
            for (int r = floor; r < review; r++) candidates[c++] = h * review + r;
        }
        Integer[] boxed = Arrays.stream(candidates).boxed().toArray(Integer[]::new);
        Arrays.sort(boxed, (x, y) -> {
            int cmp = Float.compare(score(scores, order, review, y), score(scores, order, review, x));
            return cmp != 0 ? cmp : Integer.compare(x, y); // ties: the lower head, then its better rank
        });
        for (int i = 0; i < rest; i++) count[boxed[i] / review]++;
        int[][] kept = new int[heads][];
        for (int h = 0; h < heads; h++) {
            int[] best = Arrays.copyOf(order[h], count[h]);
            Arrays.sort(best);
            kept[h] = Arrays.copyOf(best, count[h] + observationWindow);
            for (int t = 0; t < observationWindow; t++) kept[h][count[h] + t] = review + t;
        }
        return KeptTokens.ragged(n, kept);
    }

    private static float score(float[] scores, int[][] order, int review, int candidate) {
        int h = candidate / review;
        return scores[h * review + order[h][candidate % review]];
    }

    /** Registers {@code adakv} with {@link Policies} (see {@code META-INF/services}). */
    public static final class Provider implements KvPolicyProvider {
        @Override
        public String name() {
            return "adakv";
        }

        @Override
        public KvPolicy create(PolicyOptions o) {
            return new AdaKvPolicy(
                    o.integer("budget", PolicyDefaults.BUDGET, 1),
                    o.integer("observationWindow", PolicyDefaults.OBSERVATION_WINDOW, 1),
                    o.integer("poolingKernel", PolicyDefaults.POOLING_KERNEL, 1),
                    o.decimal("floorAlpha", PolicyDefaults.ADAKV_FLOOR_ALPHA, 0, 1));
        }
    }
}
