package dev.windowkv.engine.backend;

/**
 * A prefill whose keys and values stay on a device for several restores: a sweep's
 * {@code PrefillCapture}, compressed under several policies, each restored into its own cache
 * ({@code Transformer.restore}). The backend hands one out ({@link Backend#deviceCapture}) before
 * the prefill, prefills in the decode plan it stands for, and gives every restore a decoder of that
 * same plan ({@link Backend#deviceDecoder(dev.windowkv.engine.model.Model, dev.windowkv.engine.kvcache.KvCache, int, DeviceCapture)}),
 * which compacts the kept tokens from the keys and values left on the device. Closing it lets the
 * backend free the plan again.
 */
public interface DeviceCapture extends AutoCloseable {
    @Override
    void close();
}
