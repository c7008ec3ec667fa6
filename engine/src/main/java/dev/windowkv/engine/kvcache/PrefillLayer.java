package dev.windowkv.engine.kvcache;

import dev.windowkv.engine.backend.Backend;

/**
 * What a policy sees of one layer at the end of prefill: post-RoPE queries
 * {@code q[n][nHeads][headDim]} and keys {@code k[n][nKvHeads][headDim]}; query head {@code h}
 * uses KV head {@code h / (nHeads / nKvHeads)}.
 */
public record PrefillLayer(int layer, int n, int nHeads, int nKvHeads, int headDim,
                           float[] q, float[] k, Backend backend) {
    public PrefillLayer {
        if (nKvHeads <= 0 || nHeads % nKvHeads != 0) {
            throw new IllegalArgumentException("nHeads " + nHeads + " is not a multiple of nKvHeads " + nKvHeads);
        }
        if (q.length < n * nHeads * headDim || k.length < n * nKvHeads * headDim) {
            throw new IllegalArgumentException("q/k shorter than n=" + n + " tokens");
        }
    }
}
