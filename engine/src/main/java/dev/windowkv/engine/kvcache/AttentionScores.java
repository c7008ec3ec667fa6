package dev.windowkv.engine.kvcache;

import dev.windowkv.engine.backend.Backend;
import dev.windowkv.kernels.kv.MaxPool1d;
import dev.windowkv.kernels.kv.ObservationScores;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;

/** Runs the scoring kernels of {@code dev.windowkv.kernels.kv} through the layer's backend. */
final class AttentionScores {
    private AttentionScores() {}

    /**
     * Scores already computed for a layer's queries. A sweep compresses one captured prefill under
     * many policies and budgets; their scores depend only on the queries, keys and the observation
     * range, so they are computed once. Keyed weakly by the query array, so they go with the capture.
     */
    private static final Map<float[], Map<String, float[]>> MEMO = Collections.synchronizedMap(new WeakHashMap<>());

    /**
     * {@code a[h][j]} ({@code [nHeads][keyCount]}): the softmax probability key {@code j <
     * keyCount} gets from query head {@code h}, summed over queries {@code firstQuery..n-1}.
     * Queries at or after {@code causalFrom} are causally masked, earlier ones see every key.
     */
    static float[] accumulated(PrefillLayer l, int firstQuery, int causalFrom, int keyCount) {
        // The layer is part of the key: a live prefill hands every layer the same (overwritten) q and k arrays.
        String key = l.layer() + "/" + l.n() + "/" + firstQuery + "/" + causalFrom + "/" + keyCount + "/"
                + System.identityHashCode(l.k());
        Map<String, float[]> forQ = MEMO.computeIfAbsent(l.q(), q -> new ConcurrentHashMap<>());
        float[] known = forQ.get(key);
        if (known != null) return known.clone();
        float[] a = compute(l, firstQuery, causalFrom, keyCount);
        forQ.put(key, a.clone());
        return a;
    }

    private static float[] compute(PrefillLayer l, int firstQuery, int causalFrom, int keyCount) {
        return l.backend().attentionMass(l.q(), l.k(), l.n(), l.nHeads(), l.nKvHeads(), l.headDim(), firstQuery,
                causalFrom, keyCount);
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
