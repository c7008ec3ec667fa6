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
}
