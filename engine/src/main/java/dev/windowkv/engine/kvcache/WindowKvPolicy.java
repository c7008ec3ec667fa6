package dev.windowkv.engine.kvcache;

import dev.windowkv.kernels.kv.WindowPooling;

import java.util.Arrays;
import java.util.Locale;

/**
 * WindowKV (arXiv 2503.17922; spec §1.3–1.9, code at 7513467). At the end of prefill the last
 * {@code S} prompt tokens (the suffix) attend over the {@code R = n − S} earlier review tokens; the
 * review tokens are cut into fixed windows of {@code windowSize}; each window gets one score pooled
 * over all query heads; the lowest windows are dropped until the layer's review budget
 * ({@link WindowKvBudgets}) is met. Only each group's first layer scores; the other layers of the
 * group reuse its windows. The cache holds the kept windows in score order, then the suffix.
 *
 * <p>Strategy: {@code max} (QA/localization: per head the mean of the top {@code w/2} values,
 * suffix {@code suffixMax} = 32) or {@code average} (aggregation: plain mean, suffix
 * {@code suffixAverage} = 16). Deliberate fixes of the reference code (§1.10):
 * <ul>
 *   <li>The strategy is decided <b>per sample</b> in {@link #start}: the fixed {@code strategy}
 *       override if set, else the task hint ({@link TaskType#QA} → max, {@link
 *       TaskType#AGGREGATION} → average); an unknown hint (null) means max.</li>
 *   <li>Shared indices live in the per-sample {@link Compressor}, and a group leader always
 *       publishes, the degenerate case ({@code drop·w ≥ R}) as "suffix only", so indices are never
 *       stale.</li>
 *   <li>{@code L % S_g ≠ 0} and {@code G = 1} follow {@link WindowKvBudgets}; a group size larger
 *       than the layer count is a {@link PolicyOptionError} from {@link #start}.</li>
 *   <li>The default group size is {@link PolicyDefaults#groupSize(int) L/4} (the authors' 8 on 32
 *       layers), not a fixed 8, so a smaller model still has four groups.</li>
 *   <li>Scores are summed in fp32 (the reference sums fp16 after an fp32 softmax).</li>
 *   <li>In {@code max} mode {@code m = min(w/2, |window|)}, at least 1 (only matters for w = 1).</li>
 * </ul>
 * GQA changes nothing here: the windows are shared by all heads, and scoring uses every query head.
 */
public record WindowKvPolicy(int budget, int windowSize, int suffixMax, int suffixAverage,
                             int groupSize, double beta, Strategy strategyOverride) implements KvPolicy {

    /** {@code groupSize} meaning "the paper's proportion for the model at hand", {@link PolicyDefaults#groupSize(int)}. */
    public static final int PROPORTIONAL_GROUP_SIZE = 0;

    /** {@code beta} meaning "the paper's budget profile at this group size", {@link PolicyDefaults#beta(int)}. */
    public static final double PROPORTIONAL_BETA = 0;

    /** How a window's scores are pooled into one number. */
    public enum Strategy {
        /** Per head the mean of the top {@code w/2} values, averaged over heads (QA). */
        MAX,
        /** Mean over heads and positions (aggregation). */
        AVERAGE
    }

    public WindowKvPolicy {
        if (budget <= 0 || windowSize <= 0 || suffixMax <= 0 || suffixAverage <= 0 || groupSize < 0 || !(beta >= 0) || Double.isInfinite(beta)) {
            throw new PolicyOptionError("windowkv: budget, windowSize, suffixes, groupSize and beta must be positive");
        }
    }

    /** The paper's configuration with budget {@code budget}; group size by the model's layers, strategy from the task hint. */
    public static WindowKvPolicy withBudget(int budget) {
        return new WindowKvPolicy(budget, PolicyDefaults.WINDOW_SIZE, PolicyDefaults.SUFFIX_MAX,
                PolicyDefaults.SUFFIX_AVERAGE, PROPORTIONAL_GROUP_SIZE, PROPORTIONAL_BETA, null);
    }

    /** The group size on a model of {@code nLayers} layers: the one given, or the paper's proportion. */
    public int groupSize(int nLayers) {
        return groupSize == PROPORTIONAL_GROUP_SIZE ? PolicyDefaults.groupSize(nLayers) : groupSize;
    }

    /** β for a group size: the one given, or the paper's 14 scaled from groups of 8 to {@code groupSize}. */
    public double beta(int groupSize) {
        return beta == PROPORTIONAL_BETA ? PolicyDefaults.beta(groupSize) : beta;
    }

    @Override
    public WindowKvPolicy forModel(int nLayers) {
        int g = groupSize(nLayers);
        return new WindowKvPolicy(budget, windowSize, suffixMax, suffixAverage, g, beta(g), strategyOverride);
    }

    @Override
    public String describe() {
        return "windowkv budget=" + budget + " groupSize=" + (groupSize == PROPORTIONAL_GROUP_SIZE ? "L/" + PolicyDefaults.GROUPS : groupSize)
                + " strategy=" + (strategyOverride == null ? "auto" : strategyOverride.name().toLowerCase(Locale.ROOT))
                + " windowSize=" + windowSize + " suffixMax=" + suffixMax + " suffixAverage=" + suffixAverage
                + " beta=" + (beta == PROPORTIONAL_BETA ? (groupSize == PROPORTIONAL_GROUP_SIZE ? "14·groupSize/8" : number(beta(groupSize))) : number(beta));
    }

    private static String number(double x) {
        return x == Math.rint(x) ? Long.toString((long) x) : Double.toString(x);
    }

    @Override
    public String name() {
        return "windowkv";
    }

    @Override
    public Sample start(int nLayers, int nHeads, int nKvHeads, int headDim, int promptLength, TaskType taskHint) {
        int groupSize = groupSize(nLayers);
        if (groupSize > nLayers) {
            throw new PolicyOptionError("windowkv: groupSize " + groupSize + " is larger than the model's " + nLayers + " layers; lower groupSize");
        }
        if (WindowKvBudgets.groups(nLayers, groupSize) > 1 && beta(groupSize) < groupSize / 2.0) {
            // The first group gets 2B − B·S_g/β, negative below S_g/2: its layers would keep nothing but the suffix.
            throw new PolicyOptionError("windowkv: beta " + number(beta(groupSize)) + " is below groupSize/2 = "
                    + number(groupSize / 2.0) + ", which gives the first layers a negative budget; raise beta");
        }
        Strategy strategy = strategyOverride != null ? strategyOverride
                : taskHint == TaskType.AGGREGATION ? Strategy.AVERAGE : Strategy.MAX;
        int suffix = strategy == Strategy.MAX ? suffixMax : suffixAverage;
        return new Sample(strategy, suffix, nLayers, groupSize, promptLength,
                WindowKvBudgets.perLayer(budget, nLayers, groupSize, beta(groupSize)));
    }

    /** One sample's WindowKV state: its strategy, suffix and the windows each group kept. */
    public final class Sample implements Compressor {
        private final Strategy strategy;
        private final int suffix;
        private final int nLayers;
        private final int groupSize; // resolved for this model
        private final int promptLength;
        private final int[] reviewBudget;
        private final int[][] sharedWindows; // per group, published by its leader; empty = suffix only

        private Sample(Strategy strategy, int suffix, int nLayers, int groupSize, int promptLength, int[] reviewBudget) {
            this.strategy = strategy;
            this.suffix = suffix;
            this.nLayers = nLayers;
            this.groupSize = groupSize;
            this.promptLength = promptLength;
            this.reviewBudget = reviewBudget;
            this.sharedWindows = new int[WindowKvBudgets.groups(nLayers, groupSize)][];
        }

        public Strategy strategy() {
            return strategy;
        }

        /** Suffix length S for this sample. */
        public int suffix() {
            return suffix;
        }

        /** Review budget of {@code layer} (the suffix comes on top). */
        public int reviewBudget(int layer) {
            return reviewBudget[layer];
        }

        /**
         * Exact upper bound: {@code n} when {@code R ≤ budget}; {@code S} when every window is
         * dropped; otherwise {@code R − (drop−1)·w − r + S} with {@code r} the last window's length
         * (the fewest tokens {@code drop} windows can hold).
         */
        @Override
        public int capacity(int layer) {
            int n = promptLength;
            int review = n - Math.min(suffix, n);
            int b = reviewBudget[layer];
            if (review <= b) {
                return n;
            }
            int drop = ceilDiv(review - b, windowSize);
            if ((long) drop * windowSize >= review) {
                return n - review;
            }
            int lastWindow = review - (ceilDiv(review, windowSize) - 1) * windowSize;
            return review - (drop - 1) * windowSize - lastWindow + (n - review);
        }

        @Override
        public KeptTokens select(PrefillLayer layer) {
            return select(layer.layer(), layer.n(), layer.nKvHeads(), review -> {
                int topM = topM();
                // A device backend scores, pools and ranks where the queries and keys are.
                // (It reads the queries by absolute row: only with every query kept, as a device prefill keeps them.)
                int[] order = layer.queryFrom() > 0 ? null : layer.backend().windowOrder(layer.q(), layer.k(), layer.n(),
                        layer.nHeads(), layer.nKvHeads(), layer.headDim(), review, windowSize, topM);
                return order != null ? order : hostOrder(layer, review, ceilDiv(review, windowSize), topM);
            });
        }

        /** A group leader that drops some but not all windows asks the device for their order; every other layer needs nothing. */
        @Override
        public DeviceSelection deviceSelection(int l, int n) {
            int review = n - Math.min(suffix, n);
            int b = reviewBudget[l];
            boolean leader = l == WindowKvBudgets.groupOf(l, nLayers, groupSize) * groupSize;
            if (review <= b || !leader || (long) ceilDiv(review - b, windowSize) * windowSize >= review) {
                return DeviceSelection.noScores();
            }
            return DeviceSelection.windowOrder(review, windowSize, topM());
        }

        @Override
        public KeptTokens selectFromDevice(int l, int n, int nKvHeads, int[] result) {
            return select(l, n, nKvHeads, review -> result);
        }

        private int topM() {
            return strategy == Strategy.MAX ? Math.max(1, windowSize / 2) : 0;
        }

        /** {@code order.apply(review)}: every window, best first (asked only of a leader that keeps some). */
        private KeptTokens select(int l, int n, int nKvHeads, java.util.function.IntFunction<int[]> order) {
            if (n != promptLength) {
                throw new IllegalArgumentException("windowkv sample started for " + promptLength + " tokens, layer has " + n);
            }
            int s = Math.min(suffix, n);
            int review = n - s;
            int b = reviewBudget[l];
            if (review <= b) {
                return KeptTokens.all(n);
            }
            int group = WindowKvBudgets.groupOf(l, nLayers, groupSize);
            if (l == group * groupSize) {
                sharedWindows[group] = chooseWindows(review, b, order);
            } else if (sharedWindows[group] == null) {
                throw new IllegalStateException("layer " + l + " selected before its group leader, layer " + group * groupSize);
            }
            int[] windows = sharedWindows[group];
            int[] kept = new int[keptReview(windows, review) + s];
            int t = 0;
            for (int w : windows) {
                for (int j = w * windowSize; j < Math.min((w + 1) * windowSize, review); j++) {
                    kept[t++] = j;
                }
            }
            for (int j = review; j < n; j++) {
                kept[t++] = j;
            }
            return KeptTokens.shared(n, kept, nKvHeads);
        }

        /** §1.9 for a group leader: score windows, stable sort descending, drop the last {@code drop}. */
        private int[] chooseWindows(int review, int b, java.util.function.IntFunction<int[]> order) {
            int drop = ceilDiv(review - b, windowSize);
            if ((long) drop * windowSize >= review) {
                return new int[0]; // suffix only
            }
            int nWindows = ceilDiv(review, windowSize);
            return Arrays.copyOf(order.apply(review), nWindows - drop);
        }

        private int[] hostOrder(PrefillLayer layer, int review, int nWindows, int topM) {
            int nHeads = layer.nHeads();
            float[] a = AttentionScores.accumulated(layer, review, 0, review);
            float[] score = new float[nWindows];
            int w = windowSize;
            if (topM > 0) {
                layer.backend().parallelFor(nWindows, k -> WindowPooling.max(k, a, nHeads, review, review, w, topM, score));
            } else {
                layer.backend().parallelFor(nWindows, k -> WindowPooling.average(k, a, nHeads, review, review, w, score));
            }
            return TopK.descendingOrder(score, 0, nWindows);
        }

        @Override
        public int queries() {
            return suffix;
        }

        private int keptReview(int[] windows, int review) {
            int c = 0;
            for (int w : windows) {
                c += Math.min((w + 1) * windowSize, review) - w * windowSize;
            }
            return c;
        }
    }

    private static int ceilDiv(int a, int b) {
        return Math.ceilDiv(a, b);
    }

    /** Registers {@code windowkv} with {@link Policies} (see {@code META-INF/services}). */
    public static final class Provider implements KvPolicyProvider {
        @Override
        public String name() {
            return "windowkv";
        }

        @Override
        public KvPolicy create(PolicyOptions o) {
            int budget = o.integer("budget", PolicyDefaults.BUDGET, 1);
            int windowSize = o.integer("windowSize", PolicyDefaults.WINDOW_SIZE, 1);
            int suffix = o.integer("suffix", -1, 1);
            if (suffix > 0 && (o.has("suffixMax") || o.has("suffixAverage"))) {
                throw o.error("give either suffix or suffixMax/suffixAverage, not both");
            }
            int suffixMax = o.integer("suffixMax", suffix > 0 ? suffix : PolicyDefaults.SUFFIX_MAX, 1);
            int suffixAverage = o.integer("suffixAverage", suffix > 0 ? suffix : PolicyDefaults.SUFFIX_AVERAGE, 1);
            int groupSize = o.integer("groupSize", PROPORTIONAL_GROUP_SIZE, 1);
            double beta = o.decimal("beta", PROPORTIONAL_BETA, Double.MIN_VALUE, 1e9);
            Strategy strategy = switch (o.choice("strategy", "auto", java.util.List.of("auto", "max", "average"))) {
                case "max" -> Strategy.MAX;
                case "average" -> Strategy.AVERAGE;
                default -> null;
            };
            return new WindowKvPolicy(budget, windowSize, suffixMax, suffixAverage, groupSize, beta, strategy);
        }
    }
}
