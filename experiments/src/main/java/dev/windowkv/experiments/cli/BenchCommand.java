package dev.windowkv.experiments.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.windowkv.engine.UserError;
import dev.windowkv.engine.backend.Backends;
import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.experiments.bench.BackendComparison;
import dev.windowkv.experiments.bench.BandwidthTrace;
import dev.windowkv.experiments.bench.BenchModel;
import dev.windowkv.experiments.bench.BenchResults;
import dev.windowkv.experiments.bench.FmaPeak;
import dev.windowkv.experiments.bench.MemoryBandwidth;
import dev.windowkv.experiments.bench.PairedDecode;
import dev.windowkv.experiments.bench.SpeedComparison;
import dev.windowkv.plots.BenchReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code windowkv bench}: our CPU speed next to llama.cpp native's, on a random model with Llama-3.2-1B's shapes. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"CPU speed of the engine side by side with llama.cpp native (llama-bench) on the same GGUF, "
                + "a random-weight model with Llama-3.2-1B's shapes (made and cached on first use).",
                "llama.cpp comes from engine/scripts/llama-cpp-native.sh."})
public final class BenchCommand implements Callable<Integer> {
    private static final Path CACHE = Path.of(System.getenv().getOrDefault("WINDOWKV_CACHE",
            System.getProperty("user.home") + "/.cache/windowkv"));

    @Option(names = "--types", split = ",", defaultValue = "Q8_0,Q4_0", description = "weight types (default: ${DEFAULT-VALUE})")
    List<String> types;

    @Option(names = "--backend", defaultValue = "vector", description = "our backend (default: ${DEFAULT-VALUE})")
    String backend;

    @Option(names = "--threads", description = "threads for both engines (default: all cores)")
    Integer threads;

    @Option(names = "--prompts", split = ",", defaultValue = "512,2048", description = "prefill lengths (default: ${DEFAULT-VALUE})")
    List<Integer> prompts;

    @Option(names = "--gen", defaultValue = "64", description = "decoded tokens per decode test (default: ${DEFAULT-VALUE})")
    int gen;

    @Option(names = "--depth", split = ",", defaultValue = "2048", description = "contexts of the deep decode tests; the first is "
            + "also the compression test's (default: ${DEFAULT-VALUE})")
    List<Integer> depths;

    @Option(names = "--long", description = "add the long-context tests: pp8192 and decode after 8192 tokens (and their memory phases)")
    boolean longContext;

    @Option(names = "--memory-prompts", split = ",", description = "prompt lengths of the resident-memory phases (default: "
            + "the --depth contexts; 0: none)")
    List<Integer> memoryPrompts;

    @Option(names = "--memory-only", description = "only the resident-memory phases, no speed tests (JSON in <out>/memory/)")
    boolean memoryOnly;

    @Option(names = "--fma-ports", description = "FMA units per core for the FMA peak (default: detected, see PERFORMANCE.md)")
    Integer fmaPorts;

    @Option(names = "--clock-ghz", description = "core clock for the FMA peak (default: cpufreq's maximum, else /proc/cpuinfo)")
    Double clockGhz;

    @Option(names = "--budgets", split = ",", defaultValue = "128,256,512,1024", description = "WindowKV budgets (default: ${DEFAULT-VALUE})")
    List<Integer> budgets;

    @Option(names = "--repeat", defaultValue = "2", description = "repetitions per test (default: ${DEFAULT-VALUE})")
    int repeat;

    @Option(names = "--rounds", defaultValue = "1", description = "rounds of ours-then-llama.cpp (default: ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--no-scaling", description = "skip the 1-thread runs")
    boolean noScaling;

    @Option(names = "--no-llama", description = "skip llama.cpp")
    boolean noLlama;

    @Option(names = "--no-in-process", description = "skip llama.cpp in process (de.kherud:llama, in a child JVM)")
    boolean noInProcess;

    @Option(names = "--llama-bin", description = "folder with llama-bench (default: $WINDOWKV_CACHE/llama.cpp-build/bin)")
    Path llamaBin;

    @Option(names = "--vocab", description = "llama.cpp's ggml-vocab-llama-bpe.gguf (default: in $WINDOWKV_CACHE/llama.cpp/models)")
    Path vocab;

    @Option(names = "--model-dir", description = "where bench models are cached (default: $WINDOWKV_CACHE/bench)")
    Path modelDir;

    @Option(names = "--make-model", description = "only make (or find) the bench models and print their paths")
    boolean makeModelOnly;

    @Option(names = "--backends", description = "instead: compare every backend (scalar, threads, vector, and tornado "
            + "where TornadoVM is installed) on one model")
    boolean backends;

    @Option(names = "--paired-decode", defaultValue = "0", description = "after the rounds: this many pairs of the "
            + "empty-context decode test, ours and llama.cpp alternating, compared pair by pair (default: none)")
    int pairedDecode;

    @Option(names = "--bandwidth-trace", defaultValue = "0", description = "instead: for this many seconds, sample the read "
            + "bandwidth at --threads threads and at one, back to back, and say whether a second thread adds bandwidth "
            + "(open) or the machine's bandwidth is capped (default: off)")
    double bandwidthTrace;

    @Option(names = "--backends-prompt", defaultValue = "64", description = "prompt length of --backends (default: ${DEFAULT-VALUE})")
    int backendsPrompt;

    @Option(names = "--model", description = "for --backends: the model (default: the Q8_0 bench model)")
    Path model;

    @Option(names = "--seed", defaultValue = "20250322", description = "seed of weights and prompts (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--out", defaultValue = "results/bench", description = "output folder (default: ${DEFAULT-VALUE})")
    Path out;

    /** The long-context length of --long: the bench model has a 128k context. */
    private static final int LONG = 8192;

    @Override
    public Integer call() throws Exception {
        int t = threads != null ? threads : Backends.defaultThreads();
        if (t < 1) throw new UserError("--threads must be at least 1 (got " + t + ")");
        if (prompts.isEmpty() || prompts.stream().anyMatch(p -> p < 1)) throw new UserError("--prompts must be positive lengths");
        Path models = modelDir != null ? modelDir : CACHE.resolve("bench");
        Path vocabFile = vocab != null ? vocab : CACHE.resolve("llama.cpp/models/ggml-vocab-llama-bpe.gguf");
        Files.createDirectories(out);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

        if (bandwidthTrace < 0) throw new UserError("--bandwidth-trace must be seconds, 0 or more (got " + bandwidthTrace + ")");
        if (bandwidthTrace > 0) {
            if (t < 2) throw new UserError("--bandwidth-trace compares --threads threads with one: give 2 or more threads");
            BandwidthTrace.Summary s = BandwidthTrace.summarize(BandwidthTrace.run(t, bandwidthTrace, 1L << 30, System.out));
            System.out.printf("%d samples: open %.0f%% of them (%d threads read at least %.1fx one); longest capped stretch %.1f s%n",
                    s.samples(), 100 * s.openFraction(), t, MemoryBandwidth.Scaling.OPEN, s.longestCappedSeconds());
            return 0;
        }

        if (backends) {
            Path m = model != null ? model : BenchModel.ensure(models.resolve(BenchModel.fileName(GGMLType.Q8_0)), GGMLType.Q8_0,
                    vocabFile, seed);
            List<String> all = new java.util.ArrayList<>(Backends.JAVA_NAMES);
            all.add("tornado");
            BenchReport r = BackendComparison.run(m, all, t, backendsPrompt, Math.min(gen, 16),
                    budgets.getFirst(), seed, System.err);
            Path f = out.resolve("backends.json");
            json.writeValue(f.toFile(), r);
            System.out.println("wrote " + f);
            return 0;
        }

        if (depths.isEmpty() || depths.stream().anyMatch(d -> d < 1)) throw new UserError("--depth must be positive lengths");
        if (budgets.isEmpty() || budgets.stream().anyMatch(b -> b < 1)) throw new UserError("--budgets must be positive");
        if (rounds < 1) throw new UserError("--rounds must be at least 1 (got " + rounds + ")");
        if (pairedDecode < 0) throw new UserError("--paired-decode must be 0 or more pairs (got " + pairedDecode + ")");
        if (pairedDecode > 0 && (noLlama || memoryOnly)) {
            throw new UserError("--paired-decode compares with llama.cpp: drop --no-llama and --memory-only");
        }
        List<Integer> pp = new java.util.ArrayList<>(prompts);
        List<Integer> ds = new java.util.ArrayList<>(depths);
        if (longContext) {
            if (!pp.contains(LONG)) pp.add(LONG);
            if (!ds.contains(LONG)) ds.add(LONG);
        }
        List<Integer> mem = memoryPrompts == null ? ds : memoryPrompts.stream().filter(n -> n > 0).toList();
        if (memoryPrompts != null && memoryPrompts.stream().anyMatch(n -> n < 0)) {
            throw new UserError("--memory-prompts must be positive lengths, or 0 for none");
        }
        if (memoryOnly && mem.isEmpty()) throw new UserError("--memory-only needs --memory-prompts (or --depth) lengths");
        Path bin = noLlama || memoryOnly ? null : llamaBin != null ? llamaBin : CACHE.resolve("llama.cpp-build/bin");
        SpeedComparison sc = new SpeedComparison(new SpeedComparison.Plan(backend, t, pp, gen, ds, budgets, repeat,
                rounds, !noScaling, bin, !noLlama && !noInProcess && !memoryOnly, seed, mem, !memoryOnly,
                FmaPeak.detect(fmaPorts, clockGhz), pairedDecode), System.err);
        for (String name : types) {
            GGMLType type = parseType(name);
            long t0 = System.nanoTime();
            Path m = BenchModel.ensure(models.resolve(BenchModel.fileName(type)), type, vocabFile, seed);
            if (makeModelOnly) {
                System.out.printf("%s (%d bytes, %.1f s)%n", m, Files.size(m), (System.nanoTime() - t0) / 1e9);
                continue;
            }
            BenchResults r = sc.run(m, type);
            // Memory alone has no speeds for `windowkv plot` to draw: it goes where plot does not look.
            Path f = memoryOnly ? Files.createDirectories(out.resolve("memory")).resolve("memory-" + type + ".json")
                    : out.resolve("bench-" + type + ".json");
            json.writeValue(f.toFile(), r);
            printTable(r);
            System.out.println("wrote " + f);
        }
        return 0;
    }

    private static double mib(long bytes) {
        return bytes / 1048576.0;
    }

    private static GGMLType parseType(String name) {
        return switch (name.trim()) {
            case "Q8_0" -> GGMLType.Q8_0;
            case "Q4_0" -> GGMLType.Q4_0;
            default -> throw new UserError("--types takes Q8_0 and/or Q4_0 (got '" + name + "')");
        };
    }

    private static void printTable(BenchResults r) {
        System.out.printf("%n%s, %d threads, %s; llama.cpp %s%n", r.weightType(), r.threads(), r.machine(), r.llamaCppCommit());
        System.out.printf("%-12s %7s %5s %10s %10s %7s %12s %7s%n", "test", "round", "thr", "ours", "llama.cpp", "ratio",
                "in-process", "ratio");
        for (BenchResults.Ratio x : r.ratios()) {
            System.out.printf("%-12s %7d %5d %10.2f %10.2f %7.2f %12.2f %7.2f%n", x.test(), x.round(), x.threads(), x.ours(),
                    x.llamaCpp(), x.ratio(), x.llamaCppInProcess(), x.ratioInProcess());
        }
        System.out.printf("bandwidth %.1f GB/s (%d threads), %.1f GB/s (1); %.2f GB per token -> decode limit %.1f tok/s%n",
                r.bandwidthGBs(), r.threads(), r.bandwidthGBs1Thread(), r.bytesPerToken() / 1e9, r.decodeLimitTokPerSec());
        for (BenchResults.RoundBandwidth b : r.bandwidthRounds()) {
            System.out.printf("  round %d: %.1f GB/s before, %.1f after%n", b.round(), b.beforeGBs(), b.afterGBs());
        }
        System.out.println(r.bandwidthNote());
        if (!r.spreads().isEmpty()) System.out.printf("%-12s %5s %6s %7s %7s %7s %7s%n", "ratio", "thr", "rounds", "mean", "min", "max",
                "spread");
        for (BenchResults.RatioSpread x : r.spreads()) {
            System.out.printf("%-12s %5d %6d %7.2f %7.2f %7.2f %6.0f%%%n", x.test(), x.threads(), x.rounds(), x.mean(), x.min(),
                    x.max(), 100 * x.spread());
        }
        for (BenchResults.AttentionShare a : r.attention()) {
            System.out.printf("  attention: %4.0f%% of our pp%d (round %d)%n", 100 * a.share(), a.promptTokens(), a.round());
        }
        PairedDecode.Result pd = r.pairedDecode();
        if (pd != null && !pd.pairs().isEmpty()) {
            System.out.printf("tg%d paired, %d pairs alternating: ratio median %.2f (min %.2f, max %.2f), %d of %d pairs >= 1.0%n",
                    pd.tokens(), pd.pairs().size(), pd.medianRatio(), pd.minRatio(), pd.maxRatio(), pd.pairsAtLeastEven(),
                    pd.pairs().size());
            for (PairedDecode.StateSummary s : pd.byState()) {
                System.out.printf("  bandwidth %-6s %2d pairs: ratio median %.2f (ours %.2f, llama.cpp %.2f tok/s)%n", s.state(),
                        s.pairs(), s.medianRatio(), s.medianOurs(), s.medianLlamaCpp());
            }
        }
        FmaPeak f = r.fmaPeak();
        System.out.printf("F32 FMA peak: %d lanes x %d FMA ports x 2 x %.2f GHz (%s) = %.0f GFLOP/s per core%n", f.lanes(),
                f.fmaPorts(), f.clockGHz(), f.clockSource(), f.gflops(1));
        for (BenchResults.PeakShare x : r.peakShares()) {
            System.out.printf("  %-12s %-12s t%d %8.2f tok/s = %4.0f%% of the %s (%.1f tok/s)%n", x.engine(), x.test(), x.threads(),
                    x.tokPerSec(), 100 * x.share(), x.ceiling(), x.ceilingTokPerSec());
        }
        for (BenchResults.MemoryPhase p : r.memoryPhases()) {
            System.out.printf("RSS %5d tokens %-40s %6.0f MiB (peak %6.0f) | target %6.0f = file %.0f + KV %.0f + 256 MiB: %s; "
                            + "heap %.0f of %.0f MiB%n", p.promptTokens(), p.phase(), mib(p.rssBytes()), mib(p.peakRssBytes()),
                    mib(p.limitBytes()), mib(p.fileBytes()), mib(p.kvBytes()),
                    p.withinLimit() ? "met" : "over by " + Math.round(mib((p.limitOnPeak() ? p.peakRssBytes() : p.rssBytes())
                            - p.limitBytes())) + " MiB" + (p.limitOnPeak() ? " (peak)" : ""),
                    mib(p.heapUsedBytes()), mib(p.heapCommittedBytes()));
        }
        if (r.memory() != null) {
            BenchResults.Memory mem = r.memory();
            System.out.printf("RSS %.0f MiB (peak %.0f) vs file %.0f MiB + KV %.0f MiB; heap in use %.0f MiB%n",
                    mem.rssBytes() / 1048576.0, mem.peakRssBytes() / 1048576.0, mem.fileBytes() / 1048576.0,
                    mem.kvBytes() / 1048576.0, mem.heapUsedBytes() / 1048576.0);
        }
        for (var c : r.compression()) {
            System.out.printf("  %-8s budget %5d: compress %7.1f ms = %5.2f%% of prefill %.0f ms; decode %.2f tok/s%n",
                    c.policy(), c.budget(), c.compressMillis(), 100 * c.compressMillis() / c.prefillMillis(), c.prefillMillis(),
                    c.decodeTokPerSec());
        }
    }
}
