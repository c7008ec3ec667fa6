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
}
