package dev.windowkv.engine.kvcache;

import org.junit.jupiter.api.Test;

import static dev.windowkv.engine.kvcache.TestBackends.layer;
import static dev.windowkv.engine.kvcache.TestBackends.ones;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PyramidKvPolicyTest {
    @Test
    void scheduleFollowsKvfFormula() {
        // B=128, w=8, β=20, L=32, n=1000: min = 120/20 = 6, max = 240 − 6 = 234 (< n−w = 992),
        // step = (234 − 6)/31 = 7, layer l keeps 234 − 7l review tokens + the window.
        Compressor c = new PyramidKvPolicy(128, 8, 7, 20).start(32, 32, 8, 128, 1000, null);
        for (int l = 0; l < 32; l++) {
            assertEquals(234 - 7 * l + 8, c.capacity(l), "layer " + l);
        }
        assertEquals(242, c.capacity(0));
        assertEquals(25, c.capacity(31));
    }

    @Test
    void scheduleClampsItsMaximumToThePrompt() {
        // n=240: max = 234 ≥ n−w = 232, so max = 232, min = 240 − 232 = 8, step = 224/31 = 7.
        Compressor c = new PyramidKvPolicy(128, 8, 7, 20).start(32, 32, 8, 128, 240, null);
        assertEquals(240, c.capacity(0));
        assertEquals(232 - 7 * 31 + 8, c.capacity(31));
    }

    @Test
    void shortPromptsUseTheUniformBudgetOrKeepEverything() {
        PyramidKvPolicy p = new PyramidKvPolicy(128, 8, 7, 20);
        Compressor mid = p.start(32, 32, 8, 128, 200, null); // 128 ≤ n < 2(B−w) = 240
        Compressor tiny = p.start(32, 32, 8, 128, 100, null); // n < B
        for (int l = 0; l < 32; l++) {
            assertEquals(128, mid.capacity(l));
            assertEquals(100, tiny.capacity(l));
        }
    }

    @Test
    void twoLayerWorkedExample() {
        // L=2, B=6, w=2, β=20, n=10: min = 0, max = 8 = n−w, step = 8: layer 0 keeps all 8 review
        // tokens (the whole prompt), layer 1 none (the window only).
        KvPolicy p = new PyramidKvPolicy(6, 2, 1, 20);
        Compressor c = p.start(2, 1, 1, 1, 10, null);
        float[] k = {3, 2, 1, 0, 4, 0, 0, 0, 0, 0};
        assertTrue(c.select(layer(0, 1, 1, ones(10), k)).keepsAll());
        assertArrayEquals(new int[] {8, 9}, c.select(layer(1, 1, 1, ones(10), k)).indices(0));
    }

    @Test
    void uniformBranchKeepsBudgetMinusWindowByScore() {
        // n=7 < 2(B−w) = 8: keep B−w = 4 of review tokens 0..4 (keys 3,2,1,0,4: token 3 is dropped).
        Compressor c = new PyramidKvPolicy(6, 2, 1, 20).start(2, 1, 1, 1, 7, null);
        float[] k = {3, 2, 1, 0, 4, 0, 0};
        assertArrayEquals(new int[] {0, 1, 2, 4, 5, 6}, c.select(layer(1, 1, 1, ones(7), k)).indices(0));
    }
}
