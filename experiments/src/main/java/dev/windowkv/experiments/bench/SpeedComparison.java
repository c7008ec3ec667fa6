package dev.windowkv.experiments.bench;

import dev.windowkv.engine.backend.Backend;
import dev.windowkv.engine.backend.Backends;
import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.engine.kvcache.KvPolicy;
import dev.windowkv.engine.model.LayerWeights;
import dev.windowkv.engine.model.Model;
import dev.windowkv.engine.model.ModelConfig;
import dev.windowkv.engine.model.PrefillCapture;
import dev.windowkv.plots.BackendResult;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Our engine and llama.cpp native on the same file at the same thread count, one round after
 * another, so that ratios come from measurements taken minutes apart on the same (shared) machine.
 */
public final class SpeedComparison {
    /**
     * What to measure; {@code llamaBin} null skips llama.cpp native, {@code inProcess} false the binding.
     * {@code depths}: contexts of the deep decode tests (the first is also the compression test's);
     * {@code memoryPrompts}: prompt lengths of the resident-memory phases (none: skipped);
     * {@code speed} false: only those phases; {@code pairedDecode}: pairs of the empty-context decode
     * test taken after the rounds, alternating with llama.cpp ({@link PairedDecode}; 0: none).
     */
    public record Plan(String backend, int threads, List<Integer> prompts, int gen, List<Integer> depths, List<Integer> budgets,
                       int repetitions, int rounds, boolean scaling, Path llamaBin, boolean inProcess, long seed,
                       List<Integer> memoryPrompts, boolean speed, FmaPeak fmaPeak, int pairedDecode) {}

    /** The bandwidth moving by more than this between two measurements of a run is reported. */
    static final double BANDWIDTH_DRIFT = 0.10;

    private final Plan plan;
    private final PrintStream log;

    public SpeedComparison(Plan plan, PrintStream log) {
        this.plan = plan;
        this.log = log;
    }

    public BenchResults run(Path modelFile, GGMLType type) throws Exception {
        int t = plan.threads();
        log.printf("[%s] memory bandwidth ...%n", type);
        double bw = MemoryBandwidth.measure(1L << 30, t, 5);
        double bw1 = MemoryBandwidth.measure(1L << 30, 1, 3);
        log.printf("[%s] read bandwidth %.1f GB/s at %d threads, %.1f GB/s at 1%n", type, bw, t, bw1);

        List<BenchResults.Measurement> ms = new ArrayList<>();
        List<EngineBench.Compressed> compression = new ArrayList<>();
        List<BenchResults.RoundBandwidth> bandwidths = new ArrayList<>();
        List<BenchResults.AttentionShare> attention = new ArrayList<>();
        List<BenchResults.MemoryPhase> phases = new ArrayList<>();
        long fileBytes = Files.size(modelFile);
        long bytesPerToken;
        ModelConfig config;
        BenchResults.Memory memory = null;
        PairedDecode.Result paired = null;
        String commit = "";
        String ours = "java-" + plan.backend();
        String tg = "tg" + plan.gen();
        int depth = plan.depths().getFirst();

        try (Model model = Model.load(modelFile)) {
            bytesPerToken = bytesPerToken(model);
            config = model.config();
            if (!plan.memoryPrompts().isEmpty()) {
                // First, on a fresh process: the phases' figures are not inflated by the speed tests' heap.
                try (Backend b = Backends.create(plan.backend(), t)) {
                    EngineBench e = new EngineBench(model, b, plan.seed());
                    e.warmUp();
                    for (int n : plan.memoryPrompts()) {
                        log.printf("[%s] resident memory, %d-token prompt ...%n", type, n);
                        for (BenchResults.MemoryPhase p : MemoryPhases.measure(e, fileBytes, n, "windowkv",
                                plan.budgets().getFirst(), plan.gen())) {
                            phases.add(p);
                            log.printf("[%s] %5d tokens, %-40s RSS %6.0f MiB (peak %6.0f) vs target %6.0f MiB%n", type, n,
                                    p.phase(), mib(p.rssBytes()), mib(p.peakRssBytes()), mib(p.limitBytes()));
                        }
                    }
                }
            }
            for (int round = 1; plan.speed() && round <= plan.rounds(); round++) {
                double before = MemoryBandwidth.measure(1L << 30, t, 3);
                try (Backend b = Backends.create(plan.backend(), t)) {
                    EngineBench e = new EngineBench(model, b, plan.seed() + round);
                    e.warmUp();
                    for (int p : plan.prompts()) {
                        EngineBench.Speed s = e.prefill(p, plan.repetitions());
                        ms.add(new BenchResults.Measurement(round, ours, "pp" + p, t, s.mean(), s.stddev()));
                        attention.add(new BenchResults.AttentionShare(round, p, e.attentionShare()));
                        log.printf("[%s r%d] ours pp%d: %.1f tok/s (attention %.0f%%)%n", type, round, p, s.mean(),
                                100 * e.attentionShare());
                    }
                    EngineBench.Speed d = e.decode(plan.gen(), 1, plan.repetitions());
                    ms.add(new BenchResults.Measurement(round, ours, tg, t, d.mean(), d.stddev()));
                    log.printf("[%s r%d] ours %s: %.2f tok/s%n", type, round, tg, d.mean());
                    for (int dp : plan.depths()) {
                        EngineBench.Speed dd = e.decode(plan.gen(), dp, 1);
                        ms.add(new BenchResults.Measurement(round, ours, tg + "@d" + dp, t, dd.mean(), dd.stddev()));
                        log.printf("[%s r%d] ours %s@d%d: %.2f tok/s%n", type, round, tg, dp, dd.mean());
                    }
                    if (memory == null) {
                        try (var tf = e.prefilled(depth, plan.gen())) {
                            for (int i = 0; i < 4; i++) tf.decode(1);
                            Runtime rt = Runtime.getRuntime();
                            memory = new BenchResults.Memory(ProcessMemory.residentBytes(), ProcessMemory.peakResidentBytes(),
                                    fileBytes, tf.cache().bytes(), rt.totalMemory() - rt.freeMemory());
                        }
                    }
                    List<KvPolicy> policies = new ArrayList<>(List.of(EngineBench.policy("full", 0)));
                    for (int budget : plan.budgets()) policies.add(EngineBench.policy("windowkv", budget));
                    try (PrefillCapture cap = e.capture(depth, policies, plan.gen())) {
                        compression.add(e.compress(cap, "full", 0, plan.gen()));
                        for (int budget : plan.budgets()) {
                            EngineBench.Compressed c = e.compress(cap, "windowkv", budget, plan.gen());
                            compression.add(c);
                            log.printf("[%s r%d] windowkv budget %d: compress %.1f ms (%.2f%% of prefill), decode %.2f tok/s%n",
                                    type, round, budget, c.compressMillis(), 100 * c.compressMillis() / c.prefillMillis(),
                                    c.decodeTokPerSec());
                        }
                    }
                }
                if (plan.scaling() && t > 1) {
                    try (Backend b = Backends.create(plan.backend(), 1)) {
                        EngineBench e = new EngineBench(model, b, plan.seed() + round);
                        e.warmUp();
                        int p = plan.prompts().getFirst();
                        ms.add(new BenchResults.Measurement(round, ours, "pp" + p, 1, e.prefill(p, 1).mean(), 0));
                        ms.add(new BenchResults.Measurement(round, ours, tg, 1, e.decode(plan.gen(), 1, 1).mean(), 0));
                    }
                }
                if (plan.llamaBin() != null) {
                    commit = llama(modelFile, type, round, ms);
                }
                if (plan.inProcess()) {
                    for (InProcessLlama.Speed x : InProcessLlama.run(modelFile, t, plan.prompts(), plan.gen(),
                            plan.repetitions(), 60)) {
                        ms.add(new BenchResults.Measurement(round, InProcessLlama.ENGINE, x.test(), t, x.tokPerSec(), 0));
                        log.printf("[%s r%d] llama.cpp in-process %s: %.2f tok/s%n", type, round, x.test(), x.tokPerSec());
                    }
                }
                double after = MemoryBandwidth.measure(1L << 30, t, 3);
                bandwidths.add(new BenchResults.RoundBandwidth(round, before, after));
                log.printf("[%s r%d] read bandwidth %.1f GB/s before the round, %.1f after%n", type, round, before, after);
            }
            if (plan.speed() && plan.pairedDecode() > 0 && plan.llamaBin() != null) {
                try (Backend b = Backends.create(plan.backend(), t)) {
                    EngineBench e = new EngineBench(model, b, plan.seed());
                    e.warmUp();
                    log.printf("[%s] %s, %d pairs alternating with llama.cpp ...%n", type, tg, plan.pairedDecode());
                    paired = PairedDecode.measure(e, new LlamaBench(plan.llamaBin()), modelFile, t, plan.gen(),
                            plan.pairedDecode());
                    for (PairedDecode.Pair p : paired.pairs()) {
                        log.printf("[%s] paired %s: ours %.2f, llama.cpp %.2f tok/s, ratio %.2f; bandwidth %s%s%n", type, tg,
                                p.ours(), p.llamaCpp(), p.ratio(), p.state(), p.before() == null ? "" : String.format(
                                        " (%.0f/%.0f GB/s at %d/1 threads before, %.0f/%.0f after)", p.before().all(),
                                        p.before().one(), t, p.after().all(), p.after().one()));
                    }
                }
            }
        }
        List<BenchResults.Ratio> ratios = ratios(ms, ours);
        int mainPrompt = plan.prompts().getLast();
        List<BackendResult> results = new ArrayList<>();
        if (plan.speed()) {
            results.add(summary(ms, ours, "CPU", t, mainPrompt, tg, compressionAt(compression, 512)));
            if (plan.llamaBin() != null) results.add(summary(ms, "llama.cpp", "CPU, native", t, mainPrompt, tg, 0));
            if (plan.inProcess()) results.add(summary(ms, InProcessLlama.ENGINE, "CPU, de.kherud:llama", t, mainPrompt, tg, 0));
        }
        double limit = bw * 1e9 / bytesPerToken;
        return new BenchResults(Machine.describe(), OffsetDateTime.now().toString(),
                modelFile.getFileName().toString(), mainPrompt, results, type.toString(), t, commit,
                plan.inProcess() ? InProcessLlama.DESCRIPTION : "skipped (--no-in-process or --no-llama)",
                fileBytes, bytesPerToken, bw, bw1, limit, ms, ratios, compression, memory,
                bandwidths, bandwidthNote(bw, bandwidths), spreads(ratios), attention, plan.fmaPeak(),
                peakShares(ms, config, limit, plan.fmaPeak()), phases, paired);
    }

    private static double mib(long bytes) {
        return bytes / 1048576.0;
    }

    /** Whether the read bandwidth stayed within {@link #BANDWIDTH_DRIFT} over the run, in words. */
    static String bandwidthNote(double start, List<BenchResults.RoundBandwidth> rounds) {
        double lo = start, hi = start;
        for (BenchResults.RoundBandwidth r : rounds) {
            lo = Math.min(lo, Math.min(r.beforeGBs(), r.afterGBs()));
            hi = Math.max(hi, Math.max(r.beforeGBs(), r.afterGBs()));
        }
        double moved = (hi - lo) / hi;
        if (moved > BANDWIDTH_DRIFT) {
            return String.format(java.util.Locale.ROOT, "bandwidth moved by %.0f%% during the run (%.1f to %.1f GB/s): "
                    + "the machine was not quiet, and rounds measured at different bandwidths do not compare", 100 * moved, lo, hi);
        }
        return String.format(java.util.Locale.ROOT, "bandwidth steady within %.0f%% (%.1f to %.1f GB/s)", 100 * moved, lo, hi);
    }

    /** Per test and thread count, ours ÷ llama.cpp over the rounds. */
    static List<BenchResults.RatioSpread> spreads(List<BenchResults.Ratio> ratios) {
        java.util.Map<String, List<BenchResults.Ratio>> byTest = new java.util.LinkedHashMap<>();
        for (BenchResults.Ratio r : ratios) byTest.computeIfAbsent(r.test() + "/" + r.threads(), x -> new ArrayList<>()).add(r);
        List<BenchResults.RatioSpread> out = new ArrayList<>();
        for (List<BenchResults.Ratio> rs : byTest.values()) {
            double sum = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
            for (BenchResults.Ratio r : rs) {
                sum += r.ratio();
                min = Math.min(min, r.ratio());
                max = Math.max(max, r.ratio());
            }
            out.add(new BenchResults.RatioSpread(rs.getFirst().test(), rs.getFirst().threads(), rs.size(), sum / rs.size(), min, max));
        }
        return out;
    }

    /**
     * Every engine's mean speed per test next to its ceiling: decode against the bandwidth limit
     * (weights read once per token; the cache's bytes are not counted), prefill against the FMA
     * peak on the test's threads.
     */
    static List<BenchResults.PeakShare> peakShares(List<BenchResults.Measurement> ms, ModelConfig c, double decodeLimit,
                                                   FmaPeak peak) {
        java.util.Map<String, List<BenchResults.Measurement>> groups = new java.util.LinkedHashMap<>();
        for (BenchResults.Measurement m : ms) groups.computeIfAbsent(m.engine() + "/" + m.test() + "/" + m.threads(),
                x -> new ArrayList<>()).add(m);
        List<BenchResults.PeakShare> out = new ArrayList<>();
        for (List<BenchResults.Measurement> g : groups.values()) {
            BenchResults.Measurement m = g.getFirst();
            double mean = g.stream().mapToDouble(BenchResults.Measurement::tokPerSec).average().orElse(Double.NaN);
            if (m.test().startsWith("pp")) {
                int n = Integer.parseInt(m.test().substring(2));
                double ceiling = peak.gflops(m.threads()) * 1e9 / ModelFlops.perPrefillToken(c, n);
                out.add(new BenchResults.PeakShare(m.engine(), m.test(), m.threads(), mean, "F32 FMA peak", ceiling, mean / ceiling));
            } else if (m.test().startsWith("tg") && m.threads() == ms.getFirst().threads()) {
                out.add(new BenchResults.PeakShare(m.engine(), m.test(), m.threads(), mean, "bandwidth limit", decodeLimit,
                        mean / decodeLimit));
            }
        }
        return out;
    }

    private String llama(Path modelFile, GGMLType type, int round, List<BenchResults.Measurement> ms) {
        LlamaBench lb = new LlamaBench(plan.llamaBin());
        int t = plan.threads();
        List<LlamaBench.Test> tests = new ArrayList<>(lb.run(modelFile, List.of(t), plan.prompts(), List.of(plan.gen()), 0,
                plan.repetitions()));
        for (int d : plan.depths()) tests.addAll(lb.run(modelFile, List.of(t), List.of(0), List.of(plan.gen()), d, 1));
        if (plan.scaling() && t > 1) {
            tests.addAll(lb.run(modelFile, List.of(1), List.of(plan.prompts().getFirst()), List.of(plan.gen()), 0, 1));
        }
        String commit = "";
        for (LlamaBench.Test x : tests) {
            String name = x.nPrompt() > 0 ? "pp" + x.nPrompt() : "tg" + x.nGen() + (x.nDepth() > 0 ? "@d" + x.nDepth() : "");
            ms.add(new BenchResults.Measurement(round, "llama.cpp", name, x.threads(), x.avgTokPerSec(), x.stddevTokPerSec()));
            log.printf("[%s r%d] llama.cpp %s t%d: %.2f tok/s%n", type, round, name, x.threads(), x.avgTokPerSec());
            commit = x.buildCommit();
        }
        return commit;
    }

    /** Every weight byte decode reads per token: the layer matrices and the output matrix. */
    static long bytesPerToken(Model m) {
        long sum = m.output().bytes();
        for (int l = 0; l < m.config().nLayers(); l++) {
            LayerWeights w = m.layer(l);
            sum += w.wq().bytes() + w.wk().bytes() + w.wv().bytes() + w.wo().bytes()
                    + w.gate().bytes() + w.up().bytes() + w.down().bytes();
        }
        return sum;
    }

    /** Ours ÷ llama.cpp native per test (and ÷ the in-process binding where it ran the same test). */
    static List<BenchResults.Ratio> ratios(List<BenchResults.Measurement> ms, String ours) {
        List<BenchResults.Ratio> out = new ArrayList<>();
        for (BenchResults.Measurement a : ms) {
            if (!a.engine().equals(ours)) continue;
            BenchResults.Measurement n = find(ms, "llama.cpp", a);
            if (n == null) continue;
            BenchResults.Measurement j = find(ms, InProcessLlama.ENGINE, a);
            double jni = j == null ? Double.NaN : j.tokPerSec();
            out.add(new BenchResults.Ratio(a.round(), a.test(), a.threads(), a.tokPerSec(), n.tokPerSec(),
                    a.tokPerSec() / n.tokPerSec(), jni, a.tokPerSec() / jni));
        }
        return out;
    }

    private static BenchResults.Measurement find(List<BenchResults.Measurement> ms, String engine, BenchResults.Measurement a) {
        for (BenchResults.Measurement b : ms) {
            if (b.engine().equals(engine) && b.round() == a.round() && b.test().equals(a.test()) && b.threads() == a.threads()) {
                return b;
            }
        }
        return null;
    }

    private static BackendResult summary(List<BenchResults.Measurement> ms, String engine, String device, int threads,
                                         int prompt, String tg, double compressMs) {
        return new BackendResult(engine, device, threads, mean(ms, engine, "pp" + prompt, threads), mean(ms, engine, tg, threads),
                compressMs);
    }

    static double mean(List<BenchResults.Measurement> ms, String engine, String test, int threads) {
        return ms.stream().filter(m -> m.engine().equals(engine) && m.test().equals(test) && m.threads() == threads)
                .mapToDouble(BenchResults.Measurement::tokPerSec).average().orElse(Double.NaN);
    }

    private static double compressionAt(List<EngineBench.Compressed> cs, int budget) {
        return cs.stream().filter(c -> c.budget() == budget).mapToDouble(EngineBench.Compressed::compressMillis)
                .average().orElse(0);
    }
}
