package dev.windowkv.engine.kvcache;

import org.junit.jupiter.api.Test;

import static dev.windowkv.engine.kvcache.TestBackends.layer;
import static dev.windowkv.engine.kvcache.TestBackends.ones;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ten tokens, two query heads on two KV heads, head dim 1, queries all 1 (so token j gets
 * ∝ e^{k_j}), observation window 2 (tokens 8, 9, keys 0), no pooling.
 * Head 0 is concentrated: key 8 at token 3, 0 elsewhere, so token 3 scores ≈ 2 and the others
 * ≈ 2/(e^8+9) ≈ 0.0007. Head 1 is spread: keys 1.0 … 1.7, every token scoring 0.16 … 0.33, in the
 * order 1, 3, 5, 7, 6, 2, 4, 0.
 */
class AdaKvPolicyTest {
    static final float[] HEAD0 = {0, 0, 0, 8, 0, 0, 0, 0, 0, 0};
    static final float[] HEAD1 = {1.0f, 1.7f, 1.2f, 1.6f, 1.1f, 1.5f, 1.3f, 1.4f, 0, 0};

    static PrefillLayer twoHeads() {
        float[] k = new float[20];
        for (int t = 0; t < 10; t++) {
            k[2 * t] = HEAD0[t];
            k[2 * t + 1] = HEAD1[t];
        }
        return layer(0, 2, 2, ones(20), k);
    }

    @Test
    void withoutAFloorTheSpreadHeadTakesTheConcentratedHeadsBudget() {
        // Budget 5, window 2: 3 review tokens per head, 6 for the layer. Over both heads the best six
        // scores are head 0's token 3, then head 1's 1, 3, 5, 7, 6.
        AdaKvPolicy p = new AdaKvPolicy(5, 2, 1, 0);
        KeptTokens kept = p.start(1, 2, 2, 1, 10, null).select(twoHeads());
        assertTrue(kept.isRagged());
        assertArrayEquals(new int[] {3, 8, 9}, kept.indices(0));
        assertArrayEquals(new int[] {1, 3, 5, 6, 7, 8, 9}, kept.indices(1));
        assertEquals(7, kept.count());
    }

    @Test
    void theFloorGuaranteesEveryHeadItsShare() {
        // Budget 6, window 2, floorAlpha 0.5: 4 review tokens per head, floor 2, 8 for the layer.
        // Head 0 takes its top 2 (token 3, then token 0 on the tie), head 1 its top 2 (1, 3); the
        // other 4 go to head 1's next best: 5, 7, 6, 2.
        AdaKvPolicy p = new AdaKvPolicy(6, 2, 1, 0.5);
        Compressor c = p.start(1, 2, 2, 1, 10, null);
        KeptTokens kept = c.select(twoHeads());
        assertArrayEquals(new int[] {0, 3, 8, 9}, kept.indices(0));
        assertArrayEquals(new int[] {1, 2, 3, 5, 6, 7, 8, 9}, kept.indices(1));
        // The most one head can take: 8 − 2 (the other head's floor) review tokens, plus the window.
        assertEquals(8, c.capacity(0));
    }

    @Test
    void aFullFloorIsSnapKv() {
        KeptTokens ada = new AdaKvPolicy(5, 2, 7, 1).start(1, 2, 2, 1, 10, null).select(twoHeads());
        KeptTokens snap = new SnapKvPolicy(5, 2, 7).start(1, 2, 2, 1, 10, null).select(twoHeads());
        for (int h = 0; h < 2; h++) assertArrayEquals(snap.indices(h), ada.indices(h));
    }

    @Test
    void aPromptWithinTheBudgetIsKeptWhole() {
        Compressor c = new AdaKvPolicy(10, 2, 7, 0.2).start(1, 2, 2, 1, 10, null);
        assertTrue(c.select(twoHeads()).keepsAll());
        assertFalse(c.select(twoHeads()).isRagged());
        assertEquals(10, c.capacity(0));
    }

    @Test
    void thePapersDefaultsAreTheOptionDefaults() {
        assertEquals(new AdaKvPolicy(2048, 8, 7, 0.2), Policies.create("adakv", null));
        assertEquals(new AdaKvPolicy(64, 4, 5, 0.5),
                Policies.create("adakv", java.util.Map.of("budget", "64", "observationWindow", "4", "poolingKernel", "5", "floorAlpha", "0.5")));
    }
}
