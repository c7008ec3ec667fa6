package dev.windowkv.engine.kvcache;

import dev.windowkv.engine.backend.Backend;
import dev.windowkv.engine.backend.Backends;
import dev.windowkv.engine.backend.ScalarBackend;


import java.util.List;

/** The real Java backends, for policy tests: the scalar reference and the multi-threaded ones. */
final class TestBackends {
    private TestBackends() {}

    static final Backend SEQUENTIAL = new ScalarBackend();
    static final Backend THREADED = Backends.create("threads", 4);
    static final Backend VECTOR = Backends.create("vector", 3);

    static List<Backend> all() {
        return List.of(SEQUENTIAL, THREADED, VECTOR);
    }

    /** A layer with head dim 1, where query head h of token i is {@code q[i*nHeads+h]} and likewise for keys. */
    static PrefillLayer layer(int layer, int nHeads, int nKvHeads, float[] q, float[] k) {
        int n = k.length / nKvHeads;
        return new PrefillLayer(layer, n, nHeads, nKvHeads, 1, q, k, SEQUENTIAL);
    }

    /** {@code n} ones: with head dim 1 every query then scores key j by {@code k[j]}, so attention ∝ e^k. */
    static float[] ones(int n) {
        float[] q = new float[n];
        java.util.Arrays.fill(q, 1f);
        return q;
    }
}
