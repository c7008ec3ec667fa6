package dev.windowkv.engine.kvcache;

/**
 * A KV-cache compression method: an immutable configuration that, for each sample, starts a
 * {@link Compressor} deciding which prompt tokens each layer keeps at the end of prefill. Methods
 * split into score → pool → select → compact; the compaction is {@link KvCache#fillFromPrefill}.
 * Register a new method in {@link Policies}.
 */
public interface KvPolicy {
    /** The registry name ({@code windowkv}, {@code snapkv}, ...). */
    String name();

    /**
     * Per-sample state. Everything decided per sample (WindowKV's strategy and suffix, the shared
     * group indices) lives in the returned object, so nothing leaks from one sample to the next.
     *
     * @param taskHint the sample's task label, or null when unknown (only WindowKV reads it)
     * @throws dev.windowkv.engine.UserError (a subclass) when the configuration does not fit the model (e.g. WindowKV's
     *         group size larger than the layer count)
     */
    Compressor start(int nLayers, int nHeads, int nKvHeads, int headDim, int promptLength, TaskType taskHint);
}
