package dev.windowkv.engine.kvcache;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.windowkv.engine.kvcache.TestBackends.layer;
import static dev.windowkv.engine.kvcache.TestBackends.ones;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StreamingLlmPolicyTest {
    @Test
    void keepsTheFourSinksAndTheMostRecentBudgetMinusFour() {
        KvPolicy p = Policies.create("streamingllm", Map.of("budget", "6"));
        Compressor c = p.start(1, 1, 1, 1, 10, null);
        KeptTokens kept = c.select(layer(0, 1, 1, ones(10), new float[10]));
        assertArrayEquals(new int[] {0, 1, 2, 3, 8, 9}, kept.indices(0));
        assertEquals(6, c.capacity(0));
    }

    @Test
    void sinkCountIsAnOption() {
        KvPolicy p = new StreamingLlmPolicy(5, 2);
        KeptTokens kept = p.start(1, 2, 2, 1, 10, null).select(layer(0, 2, 2, ones(20), new float[20]));
        assertArrayEquals(new int[] {0, 1, 7, 8, 9}, kept.indices(0));
        assertArrayEquals(new int[] {0, 1, 7, 8, 9}, kept.indices(1));
    }

    @Test
    void aPromptWithinTheBudgetIsKeptWhole() {
        Compressor c = new StreamingLlmPolicy(6, 4).start(1, 1, 1, 1, 6, null);
        assertTrue(c.select(layer(0, 1, 1, ones(6), new float[6])).keepsAll());
        assertEquals(6, c.capacity(0));
    }
}
