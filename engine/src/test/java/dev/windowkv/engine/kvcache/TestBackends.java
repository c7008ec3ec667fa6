package dev.windowkv.engine.kvcache;

import dev.windowkv.engine.backend.Backend;

import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/** Minimal backends for policy tests: one thread, and many threads over a private pool. */
final class TestBackends {
    private TestBackends() {}

    static final Backend SEQUENTIAL = new Backend() {
        @Override
        public String name() {
            return "test-sequential";
        }

        @Override
        public int threads() {
            return 1;
        }

        @Override
        public void parallelFor(int n, IntConsumer body) {
            for (int i = 0; i < n; i++) {
                body.accept(i);
            }
        }
    };

    static final Backend THREADED = new Backend() {
        private final ForkJoinPool pool = new ForkJoinPool(4);

        @Override
        public String name() {
            return "test-threaded";
        }

        @Override
        public int threads() {
            return 4;
        }

        @Override
        public void parallelFor(int n, IntConsumer body) {
            pool.submit(() -> IntStream.range(0, n).parallel().forEach(body)).join();
        }
    };

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
