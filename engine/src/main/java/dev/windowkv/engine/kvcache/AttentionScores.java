package dev.windowkv.engine.kvcache;

import dev.windowkv.engine.backend.Backend;
import dev.windowkv.kernels.kv.MaxPool1d;
import dev.windowkv.kernels.kv.ObservationScores;

/** Runs the scoring kernels of {@code dev.windowkv.kernels.kv} through the layer's backend. */
final class AttentionScores {
    private AttentionScores() {}

    /**
     * {@code a[h][j]} ({@code [nHeads][keyCount]}): the softmax probability key {@code j <
     * keyCount} gets from query head {@code h}, summed over queries {@code firstQuery..n-1}.
     * Queries at or after {@code causalFrom} are causally masked, earlier ones see every key.
     */
    static float[] accumulated(PrefillLayer l, int firstQuery, int causalFrom, int keyCount) {
        int n = l.n(), nHeads = l.nHeads(), nKvHeads = l.nKvHeads(), headDim = l.headDim();
        float[] q = l.q(), k = l.k();
        float scale = (float) (1.0 / Math.sqrt(headDim));
        int rows = nHeads * (n - firstQuery);
        float[] rowMax = new float[rows];
        float[] rowSum = new float[rows];
        float[] a = new float[nHeads * keyCount];
        if (rows == 0 || keyCount == 0) {
            return a;
        }
        Backend b = l.backend();
        b.parallelFor(rows, item -> ObservationScores.rowStats(item, q, k, n, nHeads, nKvHeads, headDim,
                firstQuery, causalFrom, scale, rowMax, rowSum));
        b.parallelFor(nHeads * keyCount, item -> ObservationScores.accumulate(item, q, k, n, nHeads, nKvHeads,
                headDim, firstQuery, causalFrom, scale, rowMax, rowSum, keyCount, a));
        return a;
    }

    /** Scores summed over the query heads of each KV head: {@code [nKvHeads][len]}. */
    static float[] perKvHead(float[] a, PrefillLayer l, int len) {
        int nHeads = l.nHeads(), nKvHeads = l.nKvHeads();
        float[] out = new float[nKvHeads * len];
        if (len > 0) {
            l.backend().parallelFor(nKvHeads * len, item -> ObservationScores.sumPerKvHead(item, a, nHeads, nKvHeads, len, out));
        }
        return out;
    }

    /** Max pooling along each of {@code rows} rows of length {@code len}. */
    static float[] maxPool(float[] s, int rows, int len, int kernel, Backend backend) {
        float[] out = new float[rows * len];
        if (len > 0) {
            backend.parallelFor(rows * len, item -> MaxPool1d.maxPool(item, s, out, len, kernel));
        }
        return out;
    }
}
