package dev.windowkv.engine.kvcache;

import org.junit.jupiter.api.Test;

import static dev.windowkv.engine.kvcache.TestBackends.layer;
import static dev.windowkv.engine.kvcache.TestBackends.ones;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ten tokens, observation window 2 (tokens 8, 9), review tokens 0..7, one heavy key at 6, budget 4:
 * two review tokens are kept. Max pooling with kernel 7 gives tokens 3..7 token 6's score, and
 * ties go to the lower index, so 3 and 4 are kept; without pooling token 6 and then token 0.
 */
class SnapKvPolicyTest {
    static final float[] KEYS = {0, 0, 0, 0, 0, 0, 6, 0, 0, 0};

    @Test
    void maxPoolingSpreadsTheHeavyTokenToItsNeighbours() {
        KeptTokens kept = new SnapKvPolicy(4, 2, 7).start(1, 1, 1, 1, 10, null)
                .select(layer(0, 1, 1, ones(10), KEYS));
        assertArrayEquals(new int[] {3, 4, 8, 9}, kept.indices(0));
    }

    @Test
    void kernelOneIsNoPooling() {
        KeptTokens kept = new SnapKvPolicy(4, 2, 1).start(1, 1, 1, 1, 10, null)
                .select(layer(0, 1, 1, ones(10), KEYS));
        assertArrayEquals(new int[] {0, 6, 8, 9}, kept.indices(0));
    }

    @Test
    void queryHeadsOfOneKvHeadAreSummedAfterPooling() {
        // Query heads 0,1 → KV head 0; head 0's queries ignore the keys (q = 0, uniform), head 1's
        // follow them (q = 1). Heavy keys of KV head 0 at 1 (e^4) and KV head 1 at 6 (e^4).
        int n = 10;
        float[] q = new float[n * 4];
        for (int i = 0; i < n; i++) {
            q[i * 4 + 1] = 1;
            q[i * 4 + 2] = 1;
            q[i * 4 + 3] = 1;
        }
        float[] k = new float[n * 2];
        k[1 * 2] = 4;
        k[6 * 2 + 1] = 4;
        KeptTokens kept = new SnapKvPolicy(4, 2, 1).start(1, 4, 2, 1, n, null).select(layer(0, 4, 2, q, k));
        assertArrayEquals(new int[] {0, 1, 8, 9}, kept.indices(0));
        assertArrayEquals(new int[] {0, 6, 8, 9}, kept.indices(1));
    }

    @Test
    void aPromptWithinTheBudgetIsKeptWhole() {
        Compressor c = new SnapKvPolicy(10, 2, 7).start(1, 1, 1, 1, 10, null);
        assertTrue(c.select(layer(0, 1, 1, ones(10), KEYS)).keepsAll());
        assertEquals(10, c.capacity(0));
    }
}
