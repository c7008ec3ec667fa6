package dev.windowkv.engine.kvcache;

import dev.windowkv.engine.backend.Backend;

/**
 * What a policy sees of one layer at the end of prefill: post-RoPE queries and keys
 * {@code k[n][nKvHeads][headDim]}; query head {@code h} uses KV head {@code h / (nHeads / nKvHeads)}.
 * {@code q} holds the queries of tokens {@code queryFrom .. n-1}, {@code [n - queryFrom][nHeads][headDim]}:
 * all of them after a one-chunk prefill, the last {@link Compressor#queries} after a chunked one.
 * {@code scores} holds the attention scores already computed from these queries and keys (and, after
 * a chunked prefill, the causal mass of every query if a policy asked for it); it must not outlive
 * their contents.
 */
public record PrefillLayer(int layer, int n, int nHeads, int nKvHeads, int headDim,
                           float[] q, int queryFrom, float[] k, Backend backend, ScoreMemo scores) {
    public PrefillLayer {
        if (nKvHeads <= 0 || nHeads % nKvHeads != 0) {
            throw new IllegalArgumentException("nHeads " + nHeads + " is not a multiple of nKvHeads " + nKvHeads);
        }
        if (queryFrom < 0 || queryFrom > n) throw new IllegalArgumentException("queryFrom " + queryFrom + " outside 0.." + n);
        if (q.length < (n - queryFrom) * nHeads * headDim || k.length < n * nKvHeads * headDim) {
            throw new IllegalArgumentException("q/k shorter than n=" + n + " tokens");
        }
        if (scores == null) throw new IllegalArgumentException("scores is null; use ScoreMemo.none()");
    }

    /** A layer with every query, {@code q[n][nHeads][headDim]}. */
    public PrefillLayer(int layer, int n, int nHeads, int nKvHeads, int headDim, float[] q, float[] k, Backend backend,
                        ScoreMemo scores) {
        this(layer, n, nHeads, nKvHeads, headDim, q, 0, k, backend, scores);
    }

    /** A layer whose scores are computed for it alone (a live prefill, a test). */
    public PrefillLayer(int layer, int n, int nHeads, int nKvHeads, int headDim, float[] q, float[] k, Backend backend) {
        this(layer, n, nHeads, nKvHeads, headDim, q, 0, k, backend, ScoreMemo.none());
    }

    /** Offset in {@link #q} of query {@code token}, head {@code head}; the token must be one it holds. */
    public int queryOffset(int token, int head) {
        if (token < queryFrom) {
            throw new IllegalStateException("query " + token + " of layer " + layer + " was not kept (kept from " + queryFrom
                    + "); the compressor's queries() must cover what select reads");
        }
        return ((token - queryFrom) * nHeads + head) * headDim;
    }
}
