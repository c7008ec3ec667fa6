package dev.windowkv.kernels.tile;

import dev.windowkv.kernels.KMath;

/**
 * Causal GQA prefill attention over key blocks, flash-attention style: a work-group of
 * {@link #QUERIES} threads owns {@link #QUERIES} consecutive queries of one head, one query per
 * thread. It walks the keys {@link #KEYS} at a time: the group stages a block's keys and values in
 * local memory ({@code [KEYS][headDim]} each), then each thread folds the block into its running
 * max and sum (online softmax) key by key, as {@code Attention.attend} does, with its output row as
 * the accumulator. The scores are never stored, and a block's keys and values are read from global
 * memory once per group instead of once per query.
 *
 * <p>Layouts as {@code Attention.prefill}: q, out {@code [n][nHeads][headDim]}; k, v
 * {@code [n][nKvHeads][headDim]}. Here are the index arithmetic and the staged values; the loops
 * over the local arrays live in the device kernel itself (the tornado backend's
 * {@code PrefillAttention}), because TornadoVM 5.2.0 mis-addresses a local array passed to another
 * method (see {@link MatmulTile}).
 */
public final class FlashAttention {
    private FlashAttention() {}

    public static final int QUERIES = 32;
    public static final int KEYS = 16;
    /** The local arrays' room per key: the largest head dimension the kernel takes. */
    public static final int MAX_HEAD_DIM = 256;

    /**
     * Element {@code e} of a staged block of {@code array} ({@code k} or {@code v}) from key {@code k0}
     * of KV head {@code kvHead}; keys at or past the real {@code length} are zero (never attended to:
     * causality keeps every real query before them).
     */
    public static float staged(float[] array, int length, int nKvHeads, int headDim, int kvHead, int k0, int e) {
        int j = k0 + e / headDim;
        return j < length ? array[(j * nKvHeads + kvHead) * headDim + e % headDim] : 0f;
    }

    /** Keys of the block from {@code k0} that query {@code t} attends to (causal): at most KEYS, maybe none. */
    public static int keysFor(int t, int k0) {
        return KMath.max(0, KMath.min(KEYS, t - k0 + 1));
    }

    /** The last key block a group of queries from {@code q0} needs: up to its last real query. */
    public static int lastKey(int q0, int length) {
        return KMath.min(q0 + QUERIES, length) - 1;
    }

    /** Work-groups for {@code n} query tokens (a bucket size) of {@code nHeads} heads: query blocks × heads. */
    public static int groups(int n, int nHeads) {
        return (n + QUERIES - 1) / QUERIES * nHeads;
    }
}
