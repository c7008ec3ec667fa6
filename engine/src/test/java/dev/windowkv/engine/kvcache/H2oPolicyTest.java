package dev.windowkv.engine.kvcache;

import org.junit.jupiter.api.Test;

import static dev.windowkv.engine.kvcache.TestBackends.layer;
import static dev.windowkv.engine.kvcache.TestBackends.ones;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Eight tokens, head dim 1, every query 1, keys {@code [0, 5, 0, 0, 0, 6, 0, 0]}: tokens 1 and 5
 * draw the attention. Budget 3 with the last 2 always kept leaves one review token (of 0..5).
 */
class H2oPolicyTest {
    static final float[] KEYS = {0, 5, 0, 0, 0, 6, 0, 0};

    @Test
    void causalMaskFavoursTheEarlyHeavyToken() {
        // Causal: token 1 is seen by queries 1..7 (Σ ≈ 4.73), token 5 only by 5..7 (≈ 2.17).
        KeptTokens kept = new H2oPolicy(3, 2, false).start(1, 1, 1, 1, 8, null)
                .select(layer(0, 1, 1, ones(8), KEYS));
        assertArrayEquals(new int[] {1, 6, 7}, kept.indices(0));
    }

    @Test
    void baselineWindowOnlyMaskLetsEarlyQueriesSeeTheLaterHeavierToken() {
        // KVF issue #49: queries 0..5 see all keys, so token 5 (e^6) wins (≈ 5.79 vs 2.13).
        KeptTokens kept = new H2oPolicy(3, 2, true).start(1, 1, 1, 1, 8, null)
                .select(layer(0, 1, 1, ones(8), KEYS));
        assertArrayEquals(new int[] {5, 6, 7}, kept.indices(0));
    }

    @Test
    void eachKvHeadSelectsWithTheScoresOfItsOwnQueryHeads() {
        // 4 query heads, 2 KV heads: heads 0,1 read KV head 0 (heavy token 2), heads 2,3 KV head 1 (heavy token 4).
        int n = 8;
        float[] q = ones(n * 4);
        float[] k = new float[n * 2];
        k[2 * 2] = 6;
        k[4 * 2 + 1] = 6;
        KeptTokens kept = new H2oPolicy(3, 2, false).start(1, 4, 2, 1, n, null).select(layer(0, 4, 2, q, k));
        assertArrayEquals(new int[] {2, 6, 7}, kept.indices(0));
        assertArrayEquals(new int[] {4, 6, 7}, kept.indices(1));
    }
}
