package dev.windowkv.engine.kvcache;

import dev.windowkv.engine.kvcache.WindowKvPolicy.Strategy;
import org.junit.jupiter.api.Test;

import static dev.windowkv.engine.kvcache.TestBackends.layer;
import static dev.windowkv.engine.kvcache.TestBackends.ones;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Worked examples with head dim 1, all queries 1, so a review token's score is ∝ e^key.
 * Suffix 2, windows of 2, two layers in one group (both get the budget B).
 */
class WindowKvPolicyTest {
    /** Windows W0 = {0,1} keys (2, 2), W1 = {2,3} keys (2.5, 0), W2 = {4,5} keys (−5, −5); suffix {6,7}. */
    static final float[] KEYS = {2, 2, 2.5f, 0, -5, -5, 0, 0};

    static WindowKvPolicy policy(int budget, Strategy strategy) {
        return new WindowKvPolicy(budget, 2, 2, 2, 2, 14, strategy);
    }

    @Test
    void averagePoolingKeepsTheWindowWithTheHigherMean() {
        // R = 6, B = 2: drop = ⌈(6−2)/2⌉ = 2 of 3 windows. Mean e^2 = 7.39 (W0) beats (e^2.5 + 1)/2 = 6.59 (W1).
        Compressor c = policy(2, Strategy.AVERAGE).start(2, 1, 1, 1, 8, null);
        assertArrayEquals(new int[] {0, 1, 6, 7}, c.select(layer(0, 1, 1, ones(8), KEYS)).indices(0));
        assertEquals(4, c.capacity(0));
    }

    @Test
    void maxPoolingKeepsTheWindowWithTheHigherTopHalf() {
        // m = w/2 = 1: W1's top value e^2.5 beats W0's e^2.
        Compressor c = policy(2, Strategy.MAX).start(2, 1, 1, 1, 8, null);
        assertArrayEquals(new int[] {2, 3, 6, 7}, c.select(layer(0, 1, 1, ones(8), KEYS)).indices(0));
    }

    @Test
    void keptWindowsAreCachedInScoreOrderThenTheSuffix() {
        // B = 4: drop 1; max order is W1, W0, W2.
        Compressor c = policy(4, Strategy.MAX).start(2, 1, 1, 1, 8, null);
        assertArrayEquals(new int[] {2, 3, 0, 1, 6, 7}, c.select(layer(0, 1, 1, ones(8), KEYS)).indices(0));
    }

    @Test
    void droppingThePartialLastWindowMayExceedTheBudgetByWMinusR() {
        // n = 9, R = 7: windows {0,1} {2,3} {4,5} {6}; B = 5 → drop 1, the partial {6} scores lowest,
        // so 6 review tokens stay (B + w − r = 5 + 2 − 1), plus the suffix {7, 8}.
        float[] k = {1, 1, 1, 1, 1, 1, -5, 0, 0};
        Compressor c = policy(5, Strategy.AVERAGE).start(2, 1, 1, 1, 9, null);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 7, 8}, c.select(layer(0, 1, 1, ones(9), k)).indices(0));
        assertEquals(8, c.capacity(0));
    }

    @Test
    void layersOfAGroupReuseTheLeadersWindowsForEveryHead() {
        Compressor c = policy(2, Strategy.AVERAGE).start(2, 2, 2, 1, 8, null);
        float[] k0 = new float[16];
        for (int i = 0; i < 8; i++) {
            k0[2 * i] = KEYS[i];
            k0[2 * i + 1] = KEYS[i];
        }
        assertArrayEquals(new int[] {0, 1, 6, 7}, c.select(layer(0, 2, 2, ones(16), k0)).indices(1));
        // Layer 1's own keys would favour W2, but it follows layer 0 (§1.6).
        float[] k1 = new float[16];
        k1[2 * 4] = 9;
        k1[2 * 4 + 1] = 9;
        KeptTokens kept = c.select(layer(1, 2, 2, ones(16), k1));
        assertArrayEquals(new int[] {0, 1, 6, 7}, kept.indices(0));
        assertArrayEquals(new int[] {0, 1, 6, 7}, kept.indices(1));
    }

    @Test
    void degenerateBudgetKeepsTheSuffixOnlyAndIsNeverStale() {
        WindowKvPolicy p = policy(1, Strategy.AVERAGE);
        // Sample 1, n = 9, R = 7: drop = 3 of 4 windows; W0 (keys 2, 2) stays in both layers.
        float[] k9 = {2, 2, 2.5f, 0, -5, -5, -5, 0, 0};
        Compressor first = p.start(2, 1, 1, 1, 9, null);
        assertArrayEquals(new int[] {0, 1, 7, 8}, first.select(layer(0, 1, 1, ones(9), k9)).indices(0));
        assertArrayEquals(new int[] {0, 1, 7, 8}, first.select(layer(1, 1, 1, ones(9), k9)).indices(0));
        // Sample 2, n = 8, R = 6: drop = ⌈5/2⌉ = 3, 3·2 ≥ 6 → suffix only, in the follower too.
        Compressor second = p.start(2, 1, 1, 1, 8, null);
        assertArrayEquals(new int[] {6, 7}, second.select(layer(0, 1, 1, ones(8), KEYS)).indices(0));
        assertArrayEquals(new int[] {6, 7}, second.select(layer(1, 1, 1, ones(8), KEYS)).indices(0));
        assertEquals(2, second.capacity(1));
    }

    @Test
    void aFollowerBeforeItsLeaderIsAnError() {
        Compressor c = policy(2, Strategy.AVERAGE).start(2, 1, 1, 1, 8, null);
        assertThrows(IllegalStateException.class, () -> c.select(layer(1, 1, 1, ones(8), KEYS)));
    }

    @Test
    void aPromptWhoseReviewFitsIsKeptWhole() {
        Compressor c = policy(6, Strategy.MAX).start(2, 1, 1, 1, 8, null);
        assertTrue(c.select(layer(0, 1, 1, ones(8), KEYS)).keepsAll());
        assertEquals(8, c.capacity(1));
    }

    @Test
    void strategyAndSuffixAreDecidedPerSample() {
        WindowKvPolicy auto = WindowKvPolicy.withBudget(512);
        WindowKvPolicy.Sample qa = auto.start(32, 32, 8, 128, 4000, TaskType.QA);
        WindowKvPolicy.Sample agg = auto.start(32, 32, 8, 128, 4000, TaskType.AGGREGATION);
        WindowKvPolicy.Sample unknown = auto.start(32, 32, 8, 128, 4000, null);
        assertEquals(Strategy.MAX, qa.strategy());
        assertEquals(32, qa.suffix());
        assertEquals(Strategy.AVERAGE, agg.strategy());
        assertEquals(16, agg.suffix());
        assertEquals(Strategy.MAX, unknown.strategy());
        WindowKvPolicy.Sample forced = new WindowKvPolicy(512, 8, 32, 16, 8, 14, Strategy.AVERAGE)
                .start(32, 32, 8, 128, 4000, TaskType.QA);
        assertEquals(Strategy.AVERAGE, forced.strategy());
        assertEquals(16, forced.suffix());
        // Review budgets come from the group table. Capacity: R = 3968 = 496 full windows,
        // drop = ⌈(3968 − 732)/8⌉ = 405, so 3968 − 405·8 = 728 review tokens + the 32-token suffix.
        assertEquals(732, qa.reviewBudget(0));
        assertEquals(292, qa.reviewBudget(31));
        assertEquals(728 + 32, qa.capacity(0));
    }

    @Test
    void groupSizeLargerThanTheModelIsAUserError() {
        WindowKvPolicy p = new WindowKvPolicy(512, 8, 32, 16, 8, 14, null);
        assertThrows(PolicyOptionError.class, () -> p.start(4, 4, 4, 8, 100, null));
    }
}
