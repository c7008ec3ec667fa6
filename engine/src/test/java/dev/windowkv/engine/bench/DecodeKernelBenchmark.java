package dev.windowkv.engine.bench;

import dev.windowkv.engine.backend.simd.DecodeKernelsBefore;
import dev.windowkv.engine.backend.simd.Q4_0Repacked;
import dev.windowkv.engine.backend.simd.Q8_0Repacked;
import dev.windowkv.engine.backend.simd.SimdMatmul;
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
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * Decode's matrix-vector product on one thread, per weight type, with the GGUF layouts
 * (SimdMatmul.dotRows: rows in pairs from the two halves of the range). {@code kernel} = q8_0-before
 * or q4_0-before runs the kernels this replaced (DecodeKernelsBefore), for a side-by-side figure;
 * q4_0-repacked runs Q4_0Repacked.dot4 (the vector backend's Q4_0 decode), quantizing x in every call;
 * q8_0-repacked runs Q8_0Repacked.dot4 (its Q8_0 decode), permuting x in every call.
 * {@code rows} = 256 keeps the matrix in L2 (the kernel's compute rate), 65,536 puts it in DRAM (its
 * streaming rate). GB/s = weight bytes / time; ns per 32-weight block = time / (rows · 2048 / 32).
 * On a loaded machine prefer DecodeCpuTime, which divides by the thread's CPU time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class DecodeKernelBenchmark {
    @Param({"q8_0", "q8_0-repacked", "q4_0", "q4_0-repacked", "q8_0-before", "q4_0-before"})
    public String kernel;

    @Param({"256", "65536"})
    public int rows;

    private Weight w;
    private float[] x;
    private float[] out;
    private boolean before;
    /** q4_0-repacked: the weight in Q4_0Repacked's layout and the activations it quantizes per call. */
    private MemorySegment repacked;
    private short[] xq;
    private float[] dx;
    private int[] sx8;
    /** q8_0-repacked: the column order its activations follow. */
    private int[] columns;
    private float[] xp;

    @Setup(Level.Trial)
    public void setUp() {
        int cols = BenchInputs.DIM;
        w = BenchInputs.weight(kernel.startsWith("q8_0") ? GGMLType.Q8_0 : GGMLType.Q4_0, rows, cols, 1);
        before = kernel.endsWith("-before");
        x = BenchInputs.gaussian(cols, 2);
        out = new float[rows];
        if (kernel.equals("q4_0-repacked")) {
            repacked = Arena.ofAuto().allocate(w.bytes(), 64);
            Q4_0Repacked.repack(w.data(), repacked, 0, rows, cols, w.rowBytes());
            xq = new short[Q4_0Repacked.quantizedSize(cols)];
            dx = new float[Q4_0Repacked.blocks(cols)];
            sx8 = new int[dx.length];
        }
        if (kernel.equals("q8_0-repacked")) {
            repacked = Arena.ofAuto().allocate(w.bytes(), 64);
            Q8_0Repacked.repack(w.data(), repacked, 0, rows, cols, w.rowBytes());
            columns = Q8_0Repacked.columns(cols);
            xp = new float[cols];
        }
    }

    @Benchmark
    public float[] matvec() {
        int n = w.cols();
        if (columns != null) {
            for (int k = 0; k < n; k++) xp[k] = x[columns[k]];
            int quarter = rows / 4; // rows in fours from the quarters, as the vector backend runs them
            for (int r = 0; r < quarter; r++) {
                Q8_0Repacked.dot4(repacked, r * w.rowBytes(), quarter * w.rowBytes(), n, xp, 0, out, r, quarter);
            }
            return out;
        }
        if (repacked != null) {
            Q4_0Repacked.quantize(x, 0, n, xq, 0, dx, sx8, 0);
            int quarter = rows / 4; // rows in fours from the quarters, as the vector backend runs them
            for (int r = 0; r < quarter; r++) {
                Q4_0Repacked.dot4(repacked, r * w.rowBytes(), quarter * w.rowBytes(), n, xq, 0, dx, sx8, 0, x, 0, out, r, quarter);
            }
            return out;
        }
        if (before) DecodeKernelsBefore.dotRows(w.type(), w.data(), w.rowBytes(), 0, rows, x, 0, n, out, 0);
        else SimdMatmul.dotRows(w.type(), w.data(), w.rowBytes(), 0, rows, x, 0, n, out, 0);
        return out;
    }
}
