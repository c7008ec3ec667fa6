package dev.windowkv.kernels.tile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The block arithmetic of the flash prefill attention: causal key counts, the last block, staging. */
class FlashAttentionTest {
    @Test
    void aQueryAttendsToTheKeysUpToItselfBlockByBlock() {
        assertEquals(1, FlashAttention.keysFor(0, 0));
        assertEquals(FlashAttention.KEYS, FlashAttention.keysFor(40, 0));
        assertEquals(40 - 32 + 1, FlashAttention.keysFor(40, 32));
        assertEquals(0, FlashAttention.keysFor(40, 48)); // a block wholly after the query
        // Queries 32..63 with 50 real tokens need keys up to 49; a group past the length would need none.
        assertEquals(49, FlashAttention.lastKey(32, 50));
        assertEquals(FlashAttention.QUERIES - 1, FlashAttention.lastKey(0, 500));
        assertEquals(Math.ceilDiv(70, FlashAttention.QUERIES) * 6, FlashAttention.groups(70, 6));
    }

    @Test
    void stagedKeysAreTheHeadsRowsAndZeroPastTheLength() {
        int nKvHeads = 2, headDim = 4, length = 3;
        float[] k = new float[5 * nKvHeads * headDim];
        for (int i = 0; i < k.length; i++) k[i] = i;
        // KV head 1 from key 2: key 2 is k[(2·2 + 1)·4 + d] = 20 + d; key 3 is past the length.
        for (int d = 0; d < headDim; d++) {
            assertEquals(20f + d, FlashAttention.staged(k, length, nKvHeads, headDim, 1, 2, d));
            assertEquals(0f, FlashAttention.staged(k, length, nKvHeads, headDim, 1, 2, headDim + d));
        }
    }
}
