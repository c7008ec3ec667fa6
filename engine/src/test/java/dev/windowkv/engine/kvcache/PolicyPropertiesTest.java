package dev.windowkv.engine.kvcache;

import dev.windowkv.engine.backend.Backend;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Properties every policy keeps on random prompts (fixed seed, so a failure reproduces). */
class PolicyPropertiesTest {
    record Model(int nLayers, int nHeads, int nKvHeads, int headDim, int n, float[][] q, float[][] k, float[][] v) {
        PrefillLayer layer(int l, Backend b) {
            return new PrefillLayer(l, n, nHeads, nKvHeads, headDim, q[l], k[l], b);
        }
    }

    static Model randomModel(Random r) {
        int nLayers = 1 + r.nextInt(5);
        int nKvHeads = 1 + r.nextInt(3);
        int nHeads = nKvHeads * (1 + r.nextInt(3));
        int headDim = 1 + r.nextInt(6);
        int n = 1 + r.nextInt(90);
        float[][] q = new float[nLayers][n * nHeads * headDim];
        float[][] k = new float[nLayers][n * nKvHeads * headDim];
        float[][] v = new float[nLayers][n * nKvHeads * headDim];
        for (int l = 0; l < nLayers; l++) {
            for (int i = 0; i < q[l].length; i++) q[l][i] = (float) r.nextGaussian() * 2;
            for (int i = 0; i < k[l].length; i++) k[l][i] = (float) r.nextGaussian() * 2;
            for (int i = 0; i < v[l].length; i++) v[l][i] = (float) r.nextGaussian();
        }
        return new Model(nLayers, nHeads, nKvHeads, headDim, n, q, k, v);
    }

    static List<KvPolicy> randomPolicies(Random r, int nLayers) {
        int budget = 2 + r.nextInt(60);
        int window = 1 + r.nextInt(Math.min(8, budget - 1));
        List<KvPolicy> ps = new ArrayList<>();
        ps.add(new FullKvPolicy());
        ps.add(new StreamingLlmPolicy(budget, r.nextInt(budget)));
        ps.add(new H2oPolicy(budget, window, r.nextBoolean()));
        ps.add(new SnapKvPolicy(budget, window, 1 + 2 * r.nextInt(4)));
        ps.add(new PyramidKvPolicy(budget, window, 1 + 2 * r.nextInt(4), 1 + r.nextInt(25)));
        ps.add(new WindowKvPolicy(1 + r.nextInt(60), 1 + r.nextInt(9), 1 + r.nextInt(20), 1 + r.nextInt(20),
                1 + r.nextInt(nLayers), 1 + r.nextInt(20),
                r.nextBoolean() ? null : WindowKvPolicy.Strategy.values()[r.nextInt(2)]));
        ps.add(new AdaKvPolicy(budget, window, 1 + 2 * r.nextInt(4), r.nextInt(5) / 4.0));
        ps.add(new ChunkKvPolicy(budget, window, 1 + r.nextInt(budget - window), 1 + r.nextInt(nLayers)));
        ps.add(new ThinKPolicy(ps.get(r.nextInt(ps.size())), r.nextInt(10) / 10.0, 1 + r.nextInt(8)));
        return ps;
    }

    @Test
    void randomPromptsKeepEveryInvariant() {
        Random r = new Random(20250322);
        for (int trial = 0; trial < 150; trial++) {
            Model m = randomModel(r);
            for (KvPolicy p : randomPolicies(r, m.nLayers())) {
                TaskType hint = r.nextBoolean() ? TaskType.QA : TaskType.AGGREGATION;
                Compressor seq = p.start(m.nLayers(), m.nHeads(), m.nKvHeads(), m.headDim(), m.n(), hint);
                Compressor par = p.start(m.nLayers(), m.nHeads(), m.nKvHeads(), m.headDim(), m.n(), hint);
                Compressor vec = p.start(m.nLayers(), m.nHeads(), m.nKvHeads(), m.headDim(), m.n(), hint);
                for (int l = 0; l < m.nLayers(); l++) {
                    String where = "trial " + trial + " " + p + " layer " + l + " n " + m.n();
                    KeptTokens a = seq.select(m.layer(l, TestBackends.SEQUENTIAL));
                    KeptTokens b = par.select(m.layer(l, TestBackends.THREADED));
                    KeptTokens c = vec.select(m.layer(l, TestBackends.VECTOR));
                    assertEquals(a.keepsAll(), b.keepsAll(), where);
                    assertEquals(a.keepsAll(), c.keepsAll(), where);
                    for (int h = 0; h < m.nKvHeads(); h++) {
                        assertArrayEquals(a.indices(h), b.indices(h), "threads changed the selection: " + where);
                        assertArrayEquals(a.indices(h), c.indices(h), "vector changed the selection: " + where);
                    }
                    checkInvariants(p, seq, a, m, l, where);
                    checkCachesAgree(a, m, l, seq.capacity(l), where);
                }
            }
        }
    }

    static void checkInvariants(KvPolicy p, Compressor c, KeptTokens kept, Model m, int l, String where) {
        int n = m.n();
        if (p instanceof ThinKPolicy t) {
            int pruned = 0;
            for (int h = 0; h < m.nKvHeads(); h++) {
                for (int d = 0; d < m.headDim(); d++) pruned += kept.prunesKeyChannel(h, d) ? 1 : 0;
            }
            assertEquals(m.nKvHeads() * (m.headDim() - t.keptChannels(m.headDim())), pruned, where);
            p = t.inner(); // the tokens are the inner policy's (c is ThinK's compressor, with the inner capacity)
            if (p instanceof WindowKvPolicy) return; // its checks need the inner compressor's per-sample state
        }
        assertTrue(kept.count() <= c.capacity(l), "kept " + kept.count() + " > capacity " + c.capacity(l) + ": " + where);
        assertTrue(c.capacity(l) <= n, where);
        for (int h = 0; h < m.nKvHeads(); h++) {
            int[] idx = kept.indices(h);
            Set<Integer> seen = new HashSet<>();
            for (int i : idx) {
                assertTrue(i >= 0 && i < n && seen.add(i), "bad or repeated index " + i + ": " + where);
            }
            int recent = switch (p) {
                case StreamingLlmPolicy s -> Math.min(n, s.budget() - s.sinkTokens());
                case H2oPolicy s -> Math.min(n, s.observationWindow());
                case SnapKvPolicy s -> Math.min(n, s.observationWindow());
                case PyramidKvPolicy s -> Math.min(n, s.observationWindow());
                case WindowKvPolicy s -> Math.min(n, ((WindowKvPolicy.Sample) c).suffix());
                case AdaKvPolicy s -> Math.min(n, s.observationWindow());
                case ChunkKvPolicy s -> Math.min(n, s.observationWindow());
                default -> n;
            };
            for (int j = n - recent; j < n; j++) {
                assertTrue(seen.contains(j), "recent token " + j + " dropped: " + where);
            }
        }
        switch (p) {
            case StreamingLlmPolicy s -> checkUniform(s.budget(), kept, n, where);
            case H2oPolicy s -> checkUniform(s.budget(), kept, n, where);
            case SnapKvPolicy s -> checkUniform(s.budget(), kept, n, where);
            case PyramidKvPolicy s -> assertEquals(n < s.budget(), kept.keepsAll() && n < s.budget(), where);
            case WindowKvPolicy s -> {
                WindowKvPolicy.Sample sample = (WindowKvPolicy.Sample) c;
                int review = n - Math.min(n, sample.suffix());
                int budget = sample.reviewBudget(l);
                if (review <= budget) {
                    assertTrue(kept.keepsAll(), "no compression when the prompt fits: " + where);
                } else {
                    int w = s.windowSize();
                    int partial = review - (Math.ceilDiv(review, w) - 1) * w;
                    int keptReview = kept.count() - (n - review);
                    assertTrue(keptReview <= budget + (w - partial), "review " + keptReview + " over budget " + budget + ": " + where);
                    int[] h0 = kept.indices(0);
                    for (int h = 1; h < m.nKvHeads(); h++) {
                        assertArrayEquals(h0, kept.indices(h), "windowkv shares its selection across heads: " + where);
                    }
                }
            }
            case AdaKvPolicy s -> {
                assertEquals(n <= s.budget(), kept.keepsAll(), where);
                if (n > s.budget()) {
                    int total = 0;
                    for (int h = 0; h < m.nKvHeads(); h++) {
                        int review = kept.count(h) - s.observationWindow();
                        assertTrue(review >= s.floor(), "head " + h + " under the floor: " + where);
                        total += review;
                    }
                    assertEquals(m.nKvHeads() * (s.budget() - s.observationWindow()), total, "the layer's budget is spent: " + where);
                }
            }
            case ChunkKvPolicy s -> {
                assertEquals(n <= s.budget(), kept.keepsAll(), where);
                assertTrue(kept.count() <= s.budget(), where);
                for (int h = 1; h < m.nKvHeads(); h++) assertArrayEquals(kept.indices(0), kept.indices(h), where);
            }
            default -> assertTrue(kept.keepsAll(), where);
        }
    }

    static void checkUniform(int budget, KeptTokens kept, int n, String where) {
        assertTrue(kept.count() <= budget, where);
        assertEquals(n <= budget, kept.keepsAll(), "compress exactly when the prompt exceeds the budget: " + where);
        if (n > budget) {
            assertEquals(budget, kept.count(), where);
        }
    }

    /** F16 and F32 caches filled from one selection hold the same tokens, values equal up to f16 rounding. */
    static void checkCachesAgree(KeptTokens kept, Model m, int l, int capacity, String where) {
        int[] cap = new int[m.nLayers()];
        cap[l] = capacity;
        KvCache f32 = new KvCache(m.nLayers(), m.nKvHeads(), m.headDim(), cap, KvCache.Dtype.F32);
        KvCache f16 = new KvCache(m.nLayers(), m.nKvHeads(), m.headDim(), cap, KvCache.Dtype.F16);
        f32.fillFromPrefill(l, m.k()[l], m.v()[l], m.n(), kept, TestBackends.THREADED);
        f16.fillFromPrefill(l, m.k()[l], m.v()[l], m.n(), kept, TestBackends.SEQUENTIAL);
        assertEquals(f32.length(l), f16.length(l), where);
        assertEquals(2 * f16.bytes(l), f32.bytes(l), where);
        for (int h = 0; h < m.nKvHeads(); h++) {
            assertArrayEquals(f32.positions(l, h), f16.positions(l, h), where);
        }
        float[] k32 = f32.keysF32(l);
        short[] k16 = f16.keysF16(l);
        float[] v32 = f32.valuesF32(l);
        short[] v16 = f16.valuesF16(l);
        for (int i = 0; i < k32.length; i++) {
            assertEquals(Float.floatToFloat16(k32[i]), k16[i], where);
            assertEquals(Float.floatToFloat16(v32[i]), v16[i], where);
        }
    }
}
