package dev.windowkv.engine.bench;

import dev.windowkv.engine.backend.Backend;
import dev.windowkv.engine.backend.Backends;
import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.engine.model.Weight;
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
 * A 2048 × 2048 weight times {@code tokens} activations: tokens = 1 is decode's matrix–vector
 * product (bound by reading the weight), larger counts are prefill's matrix–matrix form.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class MatmulBenchmark {
    @Param({"scalar", "threads", "vector"})
    public String backend;

    @Param({"Q8_0", "Q4_0", "F16", "Q4_K", "Q6_K"})
    public String type;

    @Param({"1", "32"})
    public int tokens;

    @Param({"2"})
    public int threads;

    private Backend b;
    private Weight w;
    private float[] x;
    private float[] out;

    @Setup(Level.Trial)
    public void setUp() {
        b = Backends.create(backend, threads);
        w = BenchInputs.weight(GGMLType.valueOf(type), BenchInputs.DIM, BenchInputs.DIM, 1);
        x = BenchInputs.gaussian(tokens * BenchInputs.DIM, 2);
        out = new float[tokens * BenchInputs.DIM];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        b.close();
    }

    @Benchmark
    public float[] matmul() {
        b.matmul(w, x, tokens, out);
        return out;
    }
}
