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
 * @param kernelNanos          device kernel time of the profiled tokens' graphs, from TornadoVM's profiler
 * @param attentionNanos       the part of {@code kernelNanos} spent in the decode's attention tasks
 * @param setupBytesToDevice   host→device bytes of everything else: weights, prompt keys/values, kept indices, scoring inputs
 * @param setupBytesToHost     device→host bytes of everything else: a device prefill's logits and the policy's
 *                             selection, or its keys/values and queries (a prefill on its own, or selected on the
 *                             host); scores
 * @param compilations         plans compiled (each compiles its kernels on its first execution)
 * @param deviceBytes          device memory the backend's plans hold now
 * @param profiledTokens       the decoded tokens whose graphs ran with TornadoVM's profiler
 *                             ({@link Backend#profileKernels}): their bytes are the profiler's (array
 *                             headers included), the others' counted at our transfer sites; the kernel
 *                             times are theirs
 */
public record DeviceCounters(long decodedTokens, long bytesToDevice, long bytesToHost, long launches,
                             long kernelNanos, long attentionNanos, long setupBytesToDevice, long setupBytesToHost, long compilations, long deviceBytes, long profiledTokens) {

    /** This minus an earlier reading: the counts in between; {@code deviceBytes} stays this reading's. */
    public DeviceCounters minus(DeviceCounters earlier) {
        return new DeviceCounters(decodedTokens - earlier.decodedTokens, bytesToDevice - earlier.bytesToDevice,
                bytesToHost - earlier.bytesToHost, launches - earlier.launches,
                kernelNanos - earlier.kernelNanos, attentionNanos - earlier.attentionNanos,
                setupBytesToDevice - earlier.setupBytesToDevice, setupBytesToHost - earlier.setupBytesToHost, compilations - earlier.compilations, deviceBytes,
                profiledTokens - earlier.profiledTokens);
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

    /**
     * Whether every token decoded in this interval ran with the profiler (and some did): its bytes
     * are then all the profiler's, and its kernel times cover every token.
     */
    public boolean profiled() {
        return decodedTokens > 0 && profiledTokens == decodedTokens;
    }

    /** Device kernel time per profiled decoded token, ms; NaN when none was profiled. */
    public double kernelMillisPerToken() {
        return perProfiledToken(kernelNanos) / 1e6;
    }

    /** Device time of the decode's attention per profiled decoded token, ms (every layer's); NaN when none was profiled. */
    public double attentionMillisPerToken() {
        return perProfiledToken(attentionNanos) / 1e6;
    }

    private double perProfiledToken(long total) {
        return profiledTokens == 0 ? Double.NaN : (double) total / profiledTokens;
    }

    private double perToken(long total) {
        return decodedTokens == 0 ? Double.NaN : (double) total / decodedTokens;
    }
}
