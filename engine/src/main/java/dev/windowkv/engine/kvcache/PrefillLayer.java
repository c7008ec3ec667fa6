package dev.windowkv.engine.kvcache;

import dev.windowkv.engine.backend.Backend;

/**
 * What a policy sees of one layer at the end of prefill: post-RoPE queries
 * {@code q[n][nHeads][headDim]} and keys {@code k[n][nKvHeads][headDim]}; query head {@code h}
 * uses KV head {@code h / (nHeads / nKvHeads)}. {@code scores} holds the attention scores already
 * computed from these queries and keys; it must not outlive their contents.
 */
public record PrefillLayer(int layer, int n, int nHeads, int nKvHeads, int headDim,
                           float[] q, float[] k, Backend backend, ScoreMemo scores) {
    public PrefillLayer {
        if (nKvHeads <= 0 || nHeads % nKvHeads != 0) {
            throw new IllegalArgumentException("nHeads " + nHeads + " is not a multiple of nKvHeads " + nKvHeads);
        }
        if (q.length < n * nHeads * headDim || k.length < n * nKvHeads * headDim) {
            throw new IllegalArgumentException("q/k shorter than n=" + n + " tokens");
        }
        if (scores == null) throw new IllegalArgumentException("scores is null; use ScoreMemo.none()");
    }

    /** A layer whose scores are computed for it alone (a live prefill, a test). */
    public PrefillLayer(int layer, int n, int nHeads, int nKvHeads, int headDim, float[] q, float[] k, Backend backend) {
        this(layer, n, nHeads, nKvHeads, headDim, q, k, backend, ScoreMemo.none());
    }
}
