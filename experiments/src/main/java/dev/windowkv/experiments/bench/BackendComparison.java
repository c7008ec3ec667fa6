package dev.windowkv.experiments.bench;

import dev.windowkv.engine.UserError;
import dev.windowkv.engine.backend.Backend;
import dev.windowkv.engine.backend.Backends;
import dev.windowkv.engine.backend.DeviceCounters;
import dev.windowkv.engine.kvcache.KvPolicy;
import dev.windowkv.engine.model.Model;
import dev.windowkv.engine.model.PrefillCapture;
import dev.windowkv.plots.BackendResult;
import dev.windowkv.plots.BenchReport;
import dev.windowkv.plots.DecodeSlowdown;
import dev.windowkv.plots.DeviceCost;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Backends on the same model and prompt: the backend-comparison plot's input. A backend that cannot
 * start here (tornado without TornadoVM) is left out with one line in the log. A device backend's
 * counters (bytes each way and launches per decoded token after the prompt, plans compiled, device
 * memory) are printed and written with its result, and, for a prompt of at least
 * {@code 2 * DecodeSlowdownRun.SHORT_PROMPT} tokens, how much its decode slows from a 64-token prompt
 * to this one beside what attention over the longer cache costs on the device ({@link DecodeSlowdownRun}).
 */
public final class BackendComparison {
    private BackendComparison() {}

    /**
     * TornadoBackend's switch for TornadoVM's profiler at start: `bench --backends` turns it on unless
     * set, so the counters' bytes are the profiler's (array headers included). The slowdown check
     * switches it per sample itself ({@link Backend#profileKernels}) and leaves it as it found it.
     */
    static final String TORNADO_PROFILER = "windowkv.tornado.profiler";

    /** Samples per length of the slowdown check: enough for a median and a range on a noisy machine. */
    static final int SLOWDOWN_SAMPLES = 8;

    public static BenchReport run(Path modelFile, List<String> backends, int threads, int prompt, int gen, int budget,
                                  long seed, PrintStream log) {
        List<BackendResult> results = new ArrayList<>();
        try (Model model = Model.load(modelFile)) {
            for (String name : backends) {
                Backend started;
                if (name.equals("tornado") && System.getProperty(TORNADO_PROFILER) == null) {
                    System.setProperty(TORNADO_PROFILER, "true");
                }
                try {
                    started = Backends.create(name, threads);
                } catch (UserError e) {
                    log.printf("%-8s skipped: %s%n", name, e.getMessage());
                    continue;
                }
                try (Backend b = started) {
                    DeviceCounters atStart = b.deviceCounters();
                    EngineBench e = new EngineBench(model, b, seed);
                    e.warmUp();
                    e.prefill(prompt, 1); // untimed: a device backend compiles its prefill plan for this length here
                    EngineBench.Speed pp = e.prefill(prompt, 1);
                    EngineBench.Speed tg = e.decode(gen, 1, 1);
                    EngineBench.Speed tgAfter = e.decode(gen, prompt, 1);
                    List<KvPolicy> windowKv = List.of(EngineBench.policy("windowkv", budget));
                    // Untimed, on another capture: a device backend compiles its scoring kernels for this shape here.
                    try (PrefillCapture warm = e.capture(prompt, windowKv, 0)) {
                        e.compress(warm, "windowkv", budget, 0);
                    }
                    double compress;
                    try (PrefillCapture cap = e.capture(prompt, windowKv, 0)) {
                        compress = e.compress(cap, "windowkv", budget, 0).compressMillis();
                    }
                    log.printf("%-8s pp%d %.1f tok/s, tg%d %.2f tok/s, tg%d after %d tokens %.2f tok/s, windowkv compress %.1f ms%n",
                            name, prompt, pp.mean(), gen, tg.mean(), gen, prompt, tgAfter.mean(), compress);
                    DeviceCost cost = null;
                    if (atStart != null) {
                        DeviceCounters perToken = e.deviceCounters(prompt, gen);
                        DecodeSlowdown slowdown = null;
                        if (prompt >= 2 * DecodeSlowdownRun.SHORT_PROMPT) {
                            slowdown = DecodeSlowdownRun.measure(e, b, DecodeSlowdownRun.SHORT_PROMPT, prompt, gen,
                                    SLOWDOWN_SAMPLES);
                            log.println(slowdown == null
                                    ? String.format("%-8s no slowdown check: the backend cannot switch a kernel profiler", name)
                                    : DecodeSlowdownRun.describe(name, slowdown));
                        }
                        DeviceCounters run = b.deviceCounters().minus(atStart);
                        cost = new DeviceCost(prompt, perToken.bytesToDevicePerToken(), perToken.bytesToHostPerToken(),
                                perToken.launchesPerToken(), run.compilations(), run.deviceBytes(), perToken.profiled(),
                                slowdown);
                        log.printf("%-8s per decoded token after %d tokens: %.0f B host->device, %.0f B device->host, "
                                        + "%.0f kernel launches; %d plans compiled, %.1f MiB on the device (bytes %s)%n",
                                name, prompt, cost.bytesToDevicePerToken(), cost.bytesToHostPerToken(),
                                cost.launchesPerToken(), cost.compilations(), cost.deviceBytes() / 1048576.0,
                                cost.profiled() ? "from TornadoVM's profiler" : "counted at the transfer sites");
                    }
                    String label = Backends.JAVA_NAMES.contains(name) ? "java-" + name : name;
                    results.add(new BackendResult(label, b.device(), b.threads(), pp.mean(), tg.mean(), compress, cost));
                }
            }
        }
        return new BenchReport(Machine.describe(), OffsetDateTime.now().toString(), modelFile.getFileName().toString(),
                prompt, results);
    }
}
