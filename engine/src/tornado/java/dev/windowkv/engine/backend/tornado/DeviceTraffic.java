package dev.windowkv.engine.backend.tornado;

import dev.windowkv.engine.backend.DeviceCounters;

/**
 * The running counts behind {@link DeviceCounters}, one per backend, fed by every {@link CountedPlan}:
 * bytes each way, kernel launches and decoded tokens, plans compiled, device memory held. Bytes are
 * TornadoVM's profiler's when {@link #profiled} (the plans run with {@code ProfilerMode.SILENT}),
 * else the sizes of the arrays each graph declares for that execution, counted where it declares them.
 */
final class DeviceTraffic {
    final boolean profiled;
    private long decodedTokens;
    private long bytesToDevice;
    private long bytesToHost;
    private long launches;
    private long setupBytesToDevice;
    private long setupBytesToHost;
    private long compilations;
    private long deviceBytes;

    DeviceTraffic(boolean profiled) {
        this.profiled = profiled;
    }

    void decodedToken() {
        decodedTokens++;
    }

    /** One execution of a graph a decoded token runs. */
    void decode(long in, long out, int tasks) {
        bytesToDevice += in;
        bytesToHost += out;
        launches += tasks;
    }

    /** Bytes each way outside the per-token graphs (weights, prompt keys/values, scoring inputs; the prefill's results). */
    void setup(long in, long out) {
        setupBytesToDevice += in;
        setupBytesToHost += out;
    }

    void compiled() {
        compilations++;
    }

    /** A plan took ({@code bytes > 0}) or gave back device memory. */
    void held(long bytes) {
        deviceBytes += bytes;
    }

    DeviceCounters snapshot() {
        return new DeviceCounters(decodedTokens, bytesToDevice, bytesToHost, launches, setupBytesToDevice, setupBytesToHost, compilations,
                deviceBytes, profiled);
    }
}
