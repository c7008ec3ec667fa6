package dev.windowkv.engine.backend;

/**
 * What a device backend moved and launched, summed since it started; {@link #minus} gives an
 * interval. Decode counts cover only the graphs a decoded token runs, so the compaction (once per
 * generation: the kept indices, and the prompt's keys and values when the host holds them) and the
 * weights (once per plan) are counted in {@code setupBytesToDevice}, not per token.
 *
 * @param decodedTokens        tokens decoded on the device
 * @param bytesToDevice        host→device bytes of those tokens' graphs
 * @param bytesToHost          device→host bytes of those tokens' graphs
 * @param launches             kernels those tokens launched
 * @param kernelNanos          device kernel time of those tokens' graphs, from TornadoVM's profiler (0 unless {@code profiled})
 * @param attentionNanos       the part of {@code kernelNanos} spent in the decode's attention tasks
 * @param setupBytesToDevice   host→device bytes of everything else: weights, prompt keys/values, kept indices, scoring inputs
 * @param setupBytesToHost     device→host bytes of everything else: a device prefill's logits and the policy's
 *                             selection, or its keys/values and queries (a prefill on its own, or selected on the
 *                             host); scores
 * @param compilations         plans compiled (each compiles its kernels on its first execution)
 * @param deviceBytes          device memory the backend's plans hold now
 * @param profiled             true when the bytes are TornadoVM's profiler's, false when counted at our transfer sites
 */
public record DeviceCounters(long decodedTokens, long bytesToDevice, long bytesToHost, long launches,
                             long kernelNanos, long attentionNanos, long setupBytesToDevice, long setupBytesToHost, long compilations, long deviceBytes, boolean profiled) {

    /** This minus an earlier reading: the counts in between; {@code deviceBytes} stays this reading's. */
    public DeviceCounters minus(DeviceCounters earlier) {
        return new DeviceCounters(decodedTokens - earlier.decodedTokens, bytesToDevice - earlier.bytesToDevice,
                bytesToHost - earlier.bytesToHost, launches - earlier.launches,
                kernelNanos - earlier.kernelNanos, attentionNanos - earlier.attentionNanos,
                setupBytesToDevice - earlier.setupBytesToDevice, setupBytesToHost - earlier.setupBytesToHost, compilations - earlier.compilations, deviceBytes,
                profiled);
    }

    public double bytesToDevicePerToken() {
        return perToken(bytesToDevice);
    }

    public double bytesToHostPerToken() {
        return perToken(bytesToHost);
    }

    public double launchesPerToken() {
        return perToken(launches);
    }

    /** Device kernel time per decoded token, ms; NaN without the profiler. */
    public double kernelMillisPerToken() {
        return profiled ? perToken(kernelNanos) / 1e6 : Double.NaN;
    }

    /** Device time of the decode's attention per decoded token, ms (every layer's); NaN without the profiler. */
    public double attentionMillisPerToken() {
        return profiled ? perToken(attentionNanos) / 1e6 : Double.NaN;
    }

    private double perToken(long total) {
        return decodedTokens == 0 ? Double.NaN : (double) total / decodedTokens;
    }
}
