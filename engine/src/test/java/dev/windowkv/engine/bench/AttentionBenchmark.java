package dev.windowkv.engine.bench;

import static dev.windowkv.engine.bench.BenchInputs.HEADS;
import static dev.windowkv.engine.bench.BenchInputs.HEAD_DIM;
import static dev.windowkv.engine.bench.BenchInputs.KV_HEADS;

import dev.windowkv.engine.backend.Backend;
import dev.windowkv.engine.backend.Backends;
import dev.windowkv.engine.kvcache.KeptTokens;
import dev.windowkv.engine.kvcache.KvCache;
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

import java.util.concurrent.TimeUnit;

/**
 * One layer's attention at Llama-3.2-1B's head layout (32 query heads over 8 KV heads of 64):
 * decode, one query over {@code context} cached tokens, and prefill, {@code prefillTokens} causal queries.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class AttentionBenchmark {
    @Param({"scalar", "threads", "vector"})
    public String backend;

    @Param({"2048"})
    public int context;

    @Param({"256"})
    public int prefillTokens;

    @Param({"2"})
    public int threads;

    private Backend b;
    private KvCache cache;
    private float[] q1, out1, q, k, v, out;

    @Setup(Level.Trial)
    public void setUp() {
        b = Backends.create(backend, threads);
        int kvDim = KV_HEADS * HEAD_DIM;
        cache = new KvCache(1, KV_HEADS, HEAD_DIM, new int[]{context}, KvCache.Dtype.F32);
        cache.fillFromPrefill(0, BenchInputs.gaussian(context * kvDim, 1), BenchInputs.gaussian(context * kvDim, 2), context,
                KeptTokens.all(context), b);
        q1 = BenchInputs.gaussian(HEADS * HEAD_DIM, 3);
        out1 = new float[HEADS * HEAD_DIM];
        q = BenchInputs.gaussian(prefillTokens * HEADS * HEAD_DIM, 4);
        k = BenchInputs.gaussian(prefillTokens * kvDim, 5);
        v = BenchInputs.gaussian(prefillTokens * kvDim, 6);
        out = new float[prefillTokens * HEADS * HEAD_DIM];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        b.close();
    }

    @Benchmark
    public float[] decode() {
        b.attentionDecode(q1, cache, 0, out1, HEADS);
        return out1;
    }

    @Benchmark
    public float[] prefill() {
        b.attentionPrefill(q, k, v, out, prefillTokens, HEADS, KV_HEADS, HEAD_DIM);
        return out;
    }
}
