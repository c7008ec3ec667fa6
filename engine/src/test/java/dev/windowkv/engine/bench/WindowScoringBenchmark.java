package dev.windowkv.engine.bench;

import static dev.windowkv.engine.bench.BenchInputs.HEADS;
import static dev.windowkv.engine.bench.BenchInputs.HEAD_DIM;
import static dev.windowkv.engine.bench.BenchInputs.KV_HEADS;

import dev.windowkv.engine.backend.Backend;
import dev.windowkv.engine.backend.Backends;
import dev.windowkv.engine.kvcache.Compressor;
import dev.windowkv.engine.kvcache.KeptTokens;
import dev.windowkv.engine.kvcache.KvCache;
import dev.windowkv.engine.kvcache.Policies;
import dev.windowkv.engine.kvcache.PolicyDefaults;
import dev.windowkv.engine.kvcache.PrefillLayer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What compression costs per layer of a {@code promptLength}-token prefill: the observation window's
 * attention mass ({@code Backend.attentionMass}), a policy's whole selection (scoring, pooling,
 * top-k), and the compaction that gathers the kept tokens into the cache ({@code KvCache.fillFromPrefill}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class WindowScoringBenchmark {
    @Param({"scalar", "threads", "vector"})
    public String backend;

    @Param({"windowkv", "snapkv", "h2o"})
    public String policy;

    @Param({"2048"})
    public int promptLength;

    @Param({"512"})
    public int budget;

    @Param({"2"})
    public int threads;

    private Backend b;
    private float[] q, k, v;
    private KeptTokens kept;

    @Setup(Level.Trial)
    public void setUp() {
        b = Backends.create(backend, threads);
        q = BenchInputs.gaussian(promptLength * HEADS * HEAD_DIM, 1);
        k = BenchInputs.gaussian(promptLength * KV_HEADS * HEAD_DIM, 2);
        v = BenchInputs.gaussian(promptLength * KV_HEADS * HEAD_DIM, 3);
        kept = select();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        b.close();
    }

    @Benchmark
    public float[] attentionMass() {
        int window = PolicyDefaults.OBSERVATION_WINDOW;
        return b.attentionMass(q, k, promptLength, HEADS, KV_HEADS, HEAD_DIM, promptLength - window, promptLength - window,
                promptLength - window);
    }

    @Benchmark
    public KeptTokens select() {
        Compressor c = Policies.create(policy, Map.of("budget", Integer.toString(budget)))
                .start(16, HEADS, KV_HEADS, HEAD_DIM, promptLength, null);
        return c.select(new PrefillLayer(0, promptLength, HEADS, KV_HEADS, HEAD_DIM, q, k, b));
    }

    @Benchmark
    public KvCache compact() {
        KvCache cache = new KvCache(1, KV_HEADS, HEAD_DIM, new int[]{budget + 64}, KvCache.Dtype.F32);
        cache.fillFromPrefill(0, k, v, promptLength, kept, b);
        return cache;
    }
}
