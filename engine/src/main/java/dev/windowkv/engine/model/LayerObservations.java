package dev.windowkv.engine.model;

import dev.windowkv.engine.backend.Backend;
import dev.windowkv.engine.kvcache.PrefillLayer;
import dev.windowkv.engine.kvcache.ScoreMemo;

/**
 * What the KV policies observe of each layer while a prefill runs chunk by chunk, so that they
 * select after the layer's last chunk as they would from the whole layer: the last
 * {@code queries} queries (their observation window, kept across chunks), and, for a policy that
 * scores with every query (H2O), the causal attention mass of every query, summed chunk by chunk.
 * A query's causal softmax row spans the keys up to its own position, all present in its chunk, so
 * the sum is the one the whole layer gives (up to the order of the additions).
 *
 * <p>A prefill in one chunk hands over its own query block instead: the policies then see every
 * query, as before chunking.
 */
final class LayerObservations {
    private final ModelConfig c;
    private final Backend backend;
    private final int n;
    private final int queryFrom;
    private final boolean causalMass;
    private final float[][] tail;   // per layer: queries queryFrom..n-1, [n - queryFrom][qDim]
    private final float[][] mass;   // per layer: [nHeads][n]
    private float[] whole;          // the one chunk's queries, until that layer's selection

    /**
     * @param queries    how many of the last queries the policies read (clamped to the prompt)
     * @param causalMass whether a policy reads every query's causal attention mass
     */
    LayerObservations(ModelConfig c, Backend backend, int promptLength, int queries, boolean causalMass) {
        this.c = c;
        this.backend = backend;
        this.n = promptLength;
        this.queryFrom = promptLength - Math.min(promptLength, Math.max(0, queries));
        this.causalMass = causalMass;
        this.tail = new float[c.nLayers()][];
        this.mass = new float[c.nLayers()][];
    }

    /** Whether a policy reads every query's causal mass, which needs each chunk's keys so far. */
    boolean causalMass() {
        return causalMass;
    }

    /**
     * Layer {@code layer}'s chunk: queries {@code q} of positions {@code pos0 .. pos0+m-1} (rows
     * {@code 0..m-1}) and the keys of positions {@code 0 .. pos0+m-1}.
     */
    void chunk(int layer, int pos0, int m, float[] q, float[] k) {
        if (pos0 == 0 && m == n) {
            whole = q;
            return;
        }
        int qDim = c.qDim();
        int from = Math.max(pos0, queryFrom);
        if (from < pos0 + m) {
            if (tail[layer] == null) tail[layer] = new float[(n - queryFrom) * qDim];
            System.arraycopy(q, (from - pos0) * qDim, tail[layer], (from - queryFrom) * qDim, (pos0 + m - from) * qDim);
        }
        if (causalMass) {
            int keys = pos0 + m;
            float[] a = backend.attentionMass(q, pos0, k, keys, c.nHeads(), c.nKvHeads(), c.headDim(), pos0, 0, keys);
            if (mass[layer] == null) mass[layer] = new float[c.nHeads() * n];
            float[] sum = mass[layer];
            for (int h = 0; h < c.nHeads(); h++) {
                for (int j = 0; j < keys; j++) sum[h * n + j] += a[h * keys + j];
            }
        }
    }

    /**
     * What the policies see of layer {@code layer} after its last chunk, with its full keys {@code k};
     * the memo gets the summed causal mass.
     */
    PrefillLayer layer(int layer, float[] k, ScoreMemo memo) {
        if (whole != null) {
            PrefillLayer l = new PrefillLayer(layer, n, c.nHeads(), c.nKvHeads(), c.headDim(), whole, 0, k, backend, memo);
            whole = null;
            return l;
        }
        if (causalMass && mass[layer] != null) memo.seedCausalMass(mass[layer], n);
        float[] q = tail[layer] != null ? tail[layer] : new float[0];
        return new PrefillLayer(layer, n, c.nHeads(), c.nKvHeads(), c.headDim(), q, queryFrom, k, backend, memo);
    }

    /** Forgets layer {@code layer}'s queries and mass once its policies have selected. */
    void drop(int layer) {
        tail[layer] = null;
        mass[layer] = null;
    }
}
