package dev.windowkv.engine.kvcache;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.windowkv.engine.kvcache.TestBackends.layer;
import static dev.windowkv.engine.kvcache.TestBackends.ones;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Twelve tokens, head dim 1, queries all 1 (token j gets ∝ e^{k_j}), observation window 2 (tokens
 * 10, 11), chunk size 3: chunks {0,1,2} {3,4,5} {6,7,8} {9}.
 */
class ChunkKvPolicyTest {
    /** Tokens 0–2 at 3 (chunk 0: 3e³ ≈ 60.3); token 7 at 4 (chunk 2: e⁴ + 2 ≈ 56.6); chunk 1: 3, chunk 3: 1. */
    static final float[] KEYS = {3, 3, 3, 0, 0, 0, 0, 4, 0, 0, 0, 0};

    @Test
    void theBestChunkWinsOverTheBestToken() {
        // Budget 5: ⌊(5 − 2)/3⌋ = 1 chunk. SnapKV without pooling would keep token 7 first.
        KeptTokens kept = new ChunkKvPolicy(5, 2, 3, 1).start(1, 1, 1, 1, 12, null).select(layer(0, 1, 1, ones(12), KEYS));
        assertArrayEquals(new int[] {0, 1, 2, 10, 11}, kept.indices(0));
        KeptTokens snap = new SnapKvPolicy(5, 2, 1).start(1, 1, 1, 1, 12, null).select(layer(0, 1, 1, ones(12), KEYS));
        assertArrayEquals(new int[] {0, 1, 7, 10, 11}, snap.indices(0));
    }

    @Test
    void keptChunksAreInPromptOrderAndTheLastMayBeShort() {
        // Budget 9: 2 chunks (chunks 0 and 2); budget 12: 3 chunks; 9 + 2 window = at most 11 tokens.
        Compressor c = new ChunkKvPolicy(9, 2, 3, 1).start(1, 1, 1, 1, 12, null);
        assertArrayEquals(new int[] {0, 1, 2, 6, 7, 8, 10, 11}, c.select(layer(0, 1, 1, ones(12), KEYS)).indices(0));
        assertEquals(8, c.capacity(0));
        float[] lastHeavy = {0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0}; // the one-token chunk 3 wins
        KeptTokens kept = new ChunkKvPolicy(5, 2, 3, 1).start(1, 1, 1, 1, 12, null).select(layer(0, 1, 1, ones(12), lastHeavy));
        assertArrayEquals(new int[] {9, 10, 11}, kept.indices(0));
    }

    @Test
    void reuseDepthTwoLetsTheFirstLayerOfAPairSelectForBoth() {
        float[] other = {0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0}; // on its own, layer 1 would keep chunk 2
        Compressor reuse = new ChunkKvPolicy(5, 2, 3, 2).start(3, 1, 1, 1, 12, null);
        assertArrayEquals(new int[] {0, 1, 2, 10, 11}, reuse.select(layer(0, 1, 1, ones(12), KEYS)).indices(0));
        assertArrayEquals(new int[] {0, 1, 2, 10, 11}, reuse.select(layer(1, 1, 1, ones(12), other)).indices(0));
        assertArrayEquals(new int[] {6, 7, 8, 10, 11}, reuse.select(layer(2, 1, 1, ones(12), other)).indices(0));
        Compressor own = new ChunkKvPolicy(5, 2, 3, 1).start(2, 1, 1, 1, 12, null);
        own.select(layer(0, 1, 1, ones(12), KEYS));
        assertArrayEquals(new int[] {6, 7, 8, 10, 11}, own.select(layer(1, 1, 1, ones(12), other)).indices(0));
    }

    @Test
    void scoresAreSummedOverTheLayersHeadsAndSharedByAllKvHeads() {
        // KV head 0 holds KEYS, KV head 1 puts 6 on token 4 (chunk 1: e⁶ + 2 ≈ 405), which wins the sum.
        float[] k = new float[24];
        for (int t = 0; t < 12; t++) k[2 * t] = KEYS[t];
        k[2 * 4 + 1] = 6;
        KeptTokens kept = new ChunkKvPolicy(5, 2, 3, 1).start(1, 2, 2, 1, 12, null).select(layer(0, 2, 2, ones(24), k));
        assertArrayEquals(new int[] {3, 4, 5, 10, 11}, kept.indices(0));
        assertArrayEquals(kept.indices(0), kept.indices(1));
    }

    @Test
    void optionsDefaultToThePaperAndAreChecked() {
        assertEquals(new ChunkKvPolicy(2048, 8, 10, 1), Policies.create("chunkkv", Map.of()));
        assertEquals(new ChunkKvPolicy(128, 8, 5, 2), Policies.create("chunkkv", Map.of("budget", "128", "chunkSize", "5", "reuseDepth", "2")));
        assertThrows(PolicyOptionError.class, () -> Policies.create("chunkkv", Map.of("budget", "16", "chunkSize", "10")));
        assertTrue(new ChunkKvPolicy(20, 2, 3, 1).start(1, 1, 1, 1, 12, null).select(layer(0, 1, 1, ones(12), KEYS)).keepsAll());
    }
}
