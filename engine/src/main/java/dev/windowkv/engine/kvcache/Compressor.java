package dev.windowkv.engine.kvcache;

/** One sample's compression: call {@link #select} for layers 0, 1, 2, ... in order. */
public interface Compressor {
    /**
     * The most prompt tokens layer {@code layer} keeps after prefill for this sample's prompt
     * length; the engine adds room for the decode tokens when it sizes the {@link KvCache}.
     */
    int capacity(int layer);

    /** The prompt tokens to keep for this layer, at most {@link #capacity(int)} per KV head. */
    KeptTokens select(PrefillLayer layer);

    /**
     * What a device holding layer {@code layer}'s queries and keys of an {@code n}-token prompt may
     * compute for this compressor so that only the selection comes back ({@link #selectFromDevice}),
     * or null (the default): the host selects from the queries ({@link #select}).
     */
    default DeviceSelection deviceSelection(int layer, int n) {
        return null;
    }

    /**
     * Layer {@code layer}'s kept tokens from the device's {@code result} for
     * {@link #deviceSelection}{@code (layer, n)}: the tokens {@link #select} keeps. Called instead of
     * {@code select}, for layers 0, 1, 2, ... in order.
     */
    default KeptTokens selectFromDevice(int layer, int n, int nKvHeads, int[] result) {
        throw new UnsupportedOperationException("this compressor selects on the host only");
    }

    /**
     * How many of the prompt's last queries {@link #select} reads (its observation window). A
     * chunked prefill keeps only these of each layer ({@link PrefillLayer#queryFrom}); the default,
     * every query, makes the prefill run the prompt in one chunk, as a policy that scores with all
     * its queries needs.
     */
    default int queries() {
        return Integer.MAX_VALUE;
    }

    /**
     * Whether {@link #select} reads the causal attention mass of <em>every</em> query
     * ({@code AttentionScores.accumulated(layer, 0, 0, keyCount)}, H2O). A chunked prefill then sums
     * it chunk by chunk (a query's causal softmax row is complete in its own chunk) instead of
     * keeping the queries.
     */
    default boolean causalMass() {
        return false;
    }

    /**
     * Whether {@link #select} keeps every prompt token of every layer, in prompt order, with every key
     * channel (FullKV). A chunked prefill into an F32 cache then writes each chunk's keys and values
     * straight into the cache and attends to them there, without staging the prompt's keys and
     * values elsewhere first; {@link #select} is not called.
     */
    default boolean keepsEveryToken() {
        return false;
    }
}
