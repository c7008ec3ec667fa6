package dev.windowkv.plots;

/**
 * Throughput of one backend on one device, one entry of a {@link BenchReport}.
 *
 * @param backend          backend id (e.g. {@code java}, {@code tornado}, {@code llama.cpp})
 * @param device           device it ran on (e.g. {@code CPU}, {@code NVIDIA H100})
 * @param threads          CPU threads used (0 when not meaningful)
 * @param prefillTokPerSec prompt tokens processed per second
 * @param decodeTokPerSec  tokens generated per second
 * @param compressMs       time to compress the cache once, in milliseconds
 * @param deviceCost       bytes and launches per decoded token on a device; null for the Java backends and older files
 */
public record BackendResult(
        String backend,
        String device,
        int threads,
        double prefillTokPerSec,
        double decodeTokPerSec,
        double compressMs,
        DeviceCost deviceCost) {

    public BackendResult(String backend, String device, int threads, double prefillTokPerSec, double decodeTokPerSec,
                         double compressMs) {
        this(backend, device, threads, prefillTokPerSec, decodeTokPerSec, compressMs, null);
    }

    /** Bar label: backend with its device, e.g. {@code tornado (NVIDIA H100)}. */
    public String label() {
        return device == null || device.isBlank() ? backend : backend + " (" + device + ")";
    }
}
