package dev.windowkv.kernels.kv;

import dev.windowkv.kernels.KMath;

/**
 * Accumulated attention scores {@code a[h][j] = Σ_i softmax_i(q_i·k_j/√d)[j]} over a block of
 * prompt queries: the observation window (SnapKV, PyramidKV, WindowKV's suffix) or the whole
 * prompt (H2O). Split in two data-parallel passes:
 * {@link #rowStats} per (query head, query) finds each softmax row's max and normaliser, and
 * {@link #accumulate} per (query head, key) sums the normalised probabilities down the queries.
 *
 * <p>Layouts: {@code q[n][nHeads][headDim]}, {@code k[n][nKvHeads][headDim]} (post-RoPE); query
 * head {@code h} reads KV head {@code h / (nHeads / nKvHeads)}. Query {@code i} sees keys
 * {@code j <= i} when {@code i >= causalFrom}, and all {@code n} keys otherwise: {@code causalFrom
 * = 0} is the true causal mask; {@code causalFrom = n - window} is the baselines' mask that
 * covers only the last window×window block (KVF issue #49).
 */
public final class ObservationScores {
    private ObservationScores() {}

    /**
     * Work item {@code item = h * nQueries + qi} (query {@code i = firstQuery + qi}, where
     * {@code nQueries = n - firstQuery}): writes the row max and the row sum of
     * {@code exp(logit - max)} over the keys that query sees.
     */
    public static void rowStats(int item, float[] q, float[] k, int n, int nHeads, int nKvHeads,
                                int headDim, int firstQuery, int causalFrom, float scale,
                                float[] rowMax, float[] rowSum) {
        int nQueries = n - firstQuery;
        int h = item / nQueries;
        int i = firstQuery + item % nQueries;
        int kvh = h / (nHeads / nKvHeads);
        int keys = i >= causalFrom ? i + 1 : n;
        int qOff = (i * nHeads + h) * headDim;
        float max = -Float.MAX_VALUE;
        for (int j = 0; j < keys; j++) {
            max = KMath.max(max, logit(q, qOff, k, (j * nKvHeads + kvh) * headDim, headDim, scale));
        }
        float sum = 0f;
        for (int j = 0; j < keys; j++) {
            sum += KMath.exp(logit(q, qOff, k, (j * nKvHeads + kvh) * headDim, headDim, scale) - max);
        }
        rowMax[item] = max;
        rowSum[item] = sum;
    }

    /**
     * Work item {@code item = h * keyCount + j}: {@code a[item]} = the probability key {@code j}
     * receives from query head {@code h}, summed over queries {@code firstQuery..n-1}.
     * Only keys {@code j < keyCount} are scored (the review part); the softmax still spans every
     * key the query sees.
     */
    public static void accumulate(int item, float[] q, float[] k, int n, int nHeads, int nKvHeads,
                                  int headDim, int firstQuery, int causalFrom, float scale,
                                  float[] rowMax, float[] rowSum, int keyCount, float[] a) {
        int nQueries = n - firstQuery;
        int h = item / keyCount;
        int j = item % keyCount;
        int kvh = h / (nHeads / nKvHeads);
        int kOff = (j * nKvHeads + kvh) * headDim;
        // The queries that see key j, in ascending order as one masked loop would add them: those
        // before causalFrom (they see every key), then those at or after both causalFrom and j. Two
        // loops, not one loop with an if: TornadoVM 5.2.0 emits the skipped branch of an if that ends
        // a loop body without its jump back to the loop head, so a masked query fell through and added
        // the next query's probability (TORNADOVM.md, pitfall 10; it made H2O keep other tokens).
        int unmaskedEnd = KMath.min(causalFrom, n);
        float acc = 0f;
        for (int i = firstQuery; i < unmaskedEnd; i++) {
            acc += probability(q, k, kOff, nHeads, headDim, scale, rowMax, rowSum, h, nQueries, firstQuery, i);
        }
        int causalStart = KMath.max(KMath.max(firstQuery, causalFrom), j);
        for (int i = causalStart; i < n; i++) {
            acc += probability(q, k, kOff, nHeads, headDim, scale, rowMax, rowSum, h, nQueries, firstQuery, i);
        }
        a[item] = acc;
    }

    /** softmax_i(...)[j] of query {@code i}, head {@code h}, for the key at {@code kOff}. */
    private static float probability(float[] q, float[] k, int kOff, int nHeads, int headDim, float scale,
                                     float[] rowMax, float[] rowSum, int h, int nQueries, int firstQuery, int i) {
        int row = h * nQueries + (i - firstQuery);
        float l = logit(q, (i * nHeads + h) * headDim, k, kOff, headDim, scale);
        return KMath.exp(l - rowMax[row]) / rowSum[row];
    }

    /**
     * Work item {@code item = kvh * len + j}: {@code out[item]} = the sum of {@code a[h][j]} over
     * the query heads that share KV head {@code kvh} (GQA: scores select per KV head).
     */
    public static void sumPerKvHead(int item, float[] a, int nHeads, int nKvHeads, int len, float[] out) {
        int group = nHeads / nKvHeads;
        int kvh = item / len;
        int j = item % len;
        float acc = 0f;
        for (int g = 0; g < group; g++) {
            acc += a[(kvh * group + g) * len + j];
        }
        out[item] = acc;
    }

    private static float logit(float[] q, int qOff, float[] k, int kOff, int headDim, float scale) {
        float dot = 0f;
        for (int d = 0; d < headDim; d++) {
            dot += q[qOff + d] * k[kOff + d];
        }
        return dot * scale;
    }
}
