package dev.windowkv.engine.kvcache;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Spec §1.3: Llama-3-8B (32 layers), groups of 8, β = 14. */
class WindowKvBudgetsTest {
    @ParameterizedTest(name = "B = {0}")
    @CsvSource({
        "64,   92,   74,   56,   36",
        "128,  183,  147,  111,  73",
        "256,  366,  293,  220,  146",
        "512,  732,  586,  440,  292",
        "1024, 1463, 1171, 879,  585",
        "2048, 2926, 2341, 1756, 1170",
    })
    void groupBudgetsMatchTheSpecTable(int budget, int g0, int g1, int g2, int g3) {
        assertArrayEquals(new int[] {g0, g1, g2, g3}, WindowKvBudgets.perGroup(budget, 32, 8, 14));
        int[] layers = WindowKvBudgets.perLayer(budget, 32, 8, 14);
        int[] expected = new int[32];
        Arrays.fill(expected, 0, 8, g0);
        Arrays.fill(expected, 8, 16, g1);
        Arrays.fill(expected, 16, 24, g2);
        Arrays.fill(expected, 24, 32, g3);
        assertArrayEquals(expected, layers);
    }

    @Test
    void lastGroupAbsorbsTheRemainderLayers() {
        // Qwen2.5-1.5B: 28 layers, groups of 8 → G = 3, layers 16..27 form the last group.
        // B = 64: last = 36, first = 92, step = 56/2 = 28.
        assertArrayEquals(new int[] {92, 64, 36}, WindowKvBudgets.perGroup(64, 28, 8, 14));
        int[] layers = WindowKvBudgets.perLayer(64, 28, 8, 14);
        assertEquals(36, layers[16]);
        assertEquals(36, layers[27]);
        assertEquals(2, WindowKvBudgets.groupOf(27, 28, 8));
    }

    @Test
    void aGroupSizeAboveBetaRisesTowardsTheDeepestGroupWithAFlooredStep() {
        // L = 64, groups of 16, β = 14, B = 512: G = 4, last = ⌊8192/14⌋ = 585, first = 1024 − 585 = 439,
        // step = ⌊(439 − 585)/3⌋ = ⌊−48.67⌋ = −49 (truncation gave −48: 439/487/535/585).
        assertArrayEquals(new int[] {439, 488, 537, 585}, WindowKvBudgets.perGroup(512, 64, 16, 14));
    }

    @Test
    void oneGroupMeansNoDecay() {
        int[] expected = new int[12];
        Arrays.fill(expected, 512);
        assertArrayEquals(expected, WindowKvBudgets.perLayer(512, 12, 8, 14));
    }

    @Test
    void theDefaultBetaKeepsThePapersProfileAtAnyGroupSize() {
        // β = 14·S_g/8: the deepest group keeps 8/14 of the budget whatever the group size.
        assertEquals(14.0, PolicyDefaults.beta(8));
        assertEquals(3.5, PolicyDefaults.beta(2));
        assertArrayEquals(WindowKvBudgets.perGroup(64, 32, 8, 14), WindowKvBudgets.perGroup(64, 8, 2, PolicyDefaults.beta(2)));
        assertArrayEquals(new int[] {92, 74, 56, 36}, WindowKvBudgets.perGroup(64, 8, 2, 3.5));
    }

    @Test
    void aBetaBelowHalfTheGroupSizeIsRefusedRatherThanGivingNegativeBudgets() {
        KvPolicy p = Policies.create("windowkv", java.util.Map.of("budget", "64", "groupSize", "8", "beta", "3"));
        PolicyOptionError e = assertThrows(PolicyOptionError.class, () -> p.start(32, 4, 4, 8, 1000, TaskType.QA));
        assertTrue(e.getMessage().contains("beta 3 is below groupSize/2 = 4"), e.getMessage());
    }
}
