package dev.windowkv.engine.kvcache;

import java.lang.reflect.RecordComponent;
import java.util.Locale;

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

    /**
     * This policy with every default that depends on the model fixed for a model of {@code nLayers}
     * layers (WindowKV's group size); most policies have none.
     */
    default KvPolicy forModel(int nLayers) {
        return this;
    }

    /**
     * The name and every option as {@code key=value}, for people and logs:
     * {@code snapkv budget=128 observationWindow=8 poolingKernel=7}. A record prints its components;
     * a policy whose options are named otherwise overrides this.
     */
    default String describe() {
        StringBuilder sb = new StringBuilder(name());
        if (getClass().isRecord()) {
            for (RecordComponent c : getClass().getRecordComponents()) {
                Object value;
                try {
                    value = c.getAccessor().invoke(this);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("cannot read " + c.getName() + " of " + name(), e);
                }
                // A provider is how the policy was made, not an option (its toString is an object address).
                if (value instanceof KvPolicyProvider) continue;
                if (value instanceof Enum<?> e) value = e.name().toLowerCase(Locale.ROOT);
                if (value instanceof KvPolicy inner) value = "(" + inner.describe() + ")";
                sb.append(' ').append(c.getName()).append('=').append(value);
            }
        }
        return sb.toString();
    }
}
