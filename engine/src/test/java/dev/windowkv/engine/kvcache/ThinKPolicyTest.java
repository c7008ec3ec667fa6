package dev.windowkv.engine.kvcache;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Four tokens, one head, head dim 4. Every query is (1, 0, 3, 2) and every key (1, 5, 1, 1), so
 * over the last two queries and all four keys channel c scores ‖Q_c‖·‖K_c‖ = √2·q_c · 2·k_c ∝
 * (1, 0, 3, 2): channel 1 has by far the largest keys but no query weight, and is pruned first.
 */
class ThinKPolicyTest {
    static final int N = 4;
    static final int D = 4;

    static PrefillLayer layer() {
        float[] q = new float[N * D];
        float[] k = new float[N * D];
        for (int t = 0; t < N; t++) {
            System.arraycopy(new float[] {1, 0, 3, 2}, 0, q, t * D, D);
            System.arraycopy(new float[] {1, 5, 1, 1}, 0, k, t * D, D);
        }
        return new PrefillLayer(0, N, 1, 1, D, q, k, TestBackends.SEQUENTIAL);
    }

    @Test
    void theChannelsWithTheLeastQueryKeyMassArePruned() {
        ThinKPolicy half = new ThinKPolicy(new FullKvPolicy(), 0.5, 2);
        KeptTokens kept = half.start(1, 1, 1, D, N, null).select(layer());
        assertTrue(kept.keepsAll(), "the inner policy still picks the tokens");
        boolean[] pruned = new boolean[D];
        for (int c = 0; c < D; c++) pruned[c] = kept.prunesKeyChannel(0, c);
        assertArrayEquals(new boolean[] {true, true, false, false}, pruned);
        // λ = 0.4 keeps ⌊0.6·4⌋ = 2 channels as well; λ = 0.25 keeps 3, dropping only channel 1.
        KeptTokens quarter = new ThinKPolicy(new FullKvPolicy(), 0.25, 2).start(1, 1, 1, D, N, null).select(layer());
        assertTrue(quarter.prunesKeyChannel(0, 1));
        assertTrue(!quarter.prunesKeyChannel(0, 0) && !quarter.prunesKeyChannel(0, 2) && !quarter.prunesKeyChannel(0, 3));
    }

    @Test
    void theCacheZeroesPrunedKeyChannelsAndDoesNotCountThem() {
        PrefillLayer l = layer();
        KeptTokens kept = new ThinKPolicy(new FullKvPolicy(), 0.5, 2).start(1, 1, 1, D, N, null).select(l);
        KvCache cache = new KvCache(1, 1, D, new int[] {N + 1}, KvCache.Dtype.F32);
        float[] v = new float[N * D];
        java.util.Arrays.fill(v, 7f);
        cache.fillFromPrefill(0, l.k(), v, N, kept, TestBackends.SEQUENTIAL);
        for (int t = 0; t < N; t++) {
            assertArrayEquals(new float[] {0, 0, 1, 1}, java.util.Arrays.copyOfRange(cache.keysF32(0), t * D, t * D + D));
        }
        assertEquals(7f, cache.valuesF32(0)[0], "values keep every channel");
        // Keys: 4 tokens × 2 channels; values: 4 tokens × 4 channels; 4 bytes each.
        assertEquals((4 * 2 + 4 * 4) * 4, cache.bytes(0));
        // A decoded token's key keeps every channel: + 2 × 4 elements.
        cache.append(0, new float[] {9, 9, 9, 9}, 0, new float[] {1, 1, 1, 1}, 0, N);
        assertEquals((4 * 2 + 4 * 4 + 8) * 4, cache.bytes(0));
        assertEquals(9f, cache.keysF32(0)[N * D + 1]);
    }

    @Test
    void wrapsAnyTokenPolicyWithItsOptions() {
        KvPolicy p = Policies.create("think", Map.of("inner", "windowkv", "budget", "512", "pruneRatio", "0.5"));
        assertEquals(new ThinKPolicy(WindowKvPolicy.withBudget(512), 0.5, 8), p);
        assertEquals(new ThinKPolicy(new SnapKvPolicy(2048, 8, 7), 0.4, 8), Policies.create("think", Map.of()));
        assertThrows(PolicyOptionError.class, () -> Policies.create("think", Map.of("pruneRatio", "1")));
        assertThrows(PolicyOptionError.class, () -> Policies.create("think", Map.of("inner", "think")));
        assertThrows(PolicyOptionError.class, () -> Policies.create("think", Map.of("inner", "snapkv", "suffix", "4")));
    }
}
