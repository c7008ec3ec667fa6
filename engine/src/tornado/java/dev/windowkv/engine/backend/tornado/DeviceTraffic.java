package dev.windowkv.engine.backend.tornado;

import dev.windowkv.engine.backend.DeviceCounters;

import java.util.ArrayList;
import java.util.List;

/**
 * The running counts behind {@link DeviceCounters}, one per backend, fed by every {@link CountedPlan}:
 * bytes each way, kernel launches and decoded tokens, plans compiled, device memory held. While
 * {@link #profiling} (every open plan runs with {@code ProfilerMode.SILENT}), an execution's bytes are
 * TornadoVM's profiler's, else the sizes of the arrays each graph declares for that execution, counted
 * where it declares them; and the per-token graphs' kernel times are logged (all tasks, and the
 * attention tasks apart), read from the open plans' profiler logs when a snapshot is taken
 * ({@link CountedPlan#collectKernelTimes}). {@link #profile} switches it between executions, for every
 * plan alike.
 */
final class DeviceTraffic {
    private boolean profiling;
    private long decodedTokens;
    private long profiledTokens;
    private long bytesToDevice;
    private long bytesToHost;
    private long launches;
    private long kernelNanos;
    private long attentionNanos;
    private long setupBytesToDevice;
    private long setupBytesToHost;
    private long compilations;
    private long deviceBytes;
    private final List<CountedPlan> open = new ArrayList<>();

    DeviceTraffic(boolean profiled) {
        this.profiling = profiled;
    }

    /** Whether plans run with TornadoVM's profiler now: those opened now start with it. */
    boolean profiling() {
        return profiling;
    }

    /**
     * Switches TornadoVM's profiler for every open plan's next executions (and the plans opened
     * later): TornadoVM sets its global profiler switch from each execution's plan, so all plans
     * must agree, or one plan's execution would turn it off under another's.
     */
    void profile(boolean on) {
        profiling = on;
        for (CountedPlan p : open) p.profile(on);
    }

    void decodedToken() {
        decodedTokens++;
        if (profiling) profiledTokens++;
    }

    /** One execution of a graph a decoded token runs. */
    void decode(long in, long out, int tasks) {
        bytesToDevice += in;
        bytesToHost += out;
        launches += tasks;
    }

    /** Device kernel time of per-token graphs' executions, and its part in attention tasks. */
    void kernelTime(long nanos, long attention) {
        kernelNanos += nanos;
        attentionNanos += attention;
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

    /** A plan opened: its kernel times are read at each {@link #snapshot}. */
    void opened(CountedPlan plan) {
        open.add(plan);
    }

    /** A plan closed, after its last kernel times were read. */
    void closed(CountedPlan plan) {
        open.removeIf(p -> p == plan);
    }

    DeviceCounters snapshot() {
        for (CountedPlan p : open) p.collectKernelTimes();
        return new DeviceCounters(decodedTokens, bytesToDevice, bytesToHost, launches, kernelNanos, attentionNanos,
                setupBytesToDevice, setupBytesToHost, compilations,
                deviceBytes, profiledTokens);
    }
}
