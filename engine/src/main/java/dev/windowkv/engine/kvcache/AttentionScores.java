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
        // Memoised per prefill layer (the capture's memo in a sweep), never across prefills.
        return l.scores().get(firstQuery, causalFrom, keyCount, () -> compute(l, firstQuery, causalFrom, keyCount));
    }

    private static float[] compute(PrefillLayer l, int firstQuery, int causalFrom, int keyCount) {
        if (firstQuery < l.queryFrom()) {
            throw new IllegalStateException("layer " + l.layer() + " kept queries from " + l.queryFrom() + ", scores need them from "
                    + firstQuery + "; the compressor's queries() must cover what select reads");
        }
        return l.backend().attentionMass(l.q(), l.queryFrom(), l.k(), l.n(), l.nHeads(), l.nKvHeads(), l.headDim(),
                firstQuery, causalFrom, keyCount);
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
