package dev.windowkv.engine.bench;

import dev.windowkv.engine.backend.simd.PackedGemm;
import dev.windowkv.engine.backend.simd.Q4_0Repacked;
import dev.windowkv.engine.backend.simd.Q8_0Repacked;
import dev.windowkv.engine.backend.simd.RowDecoder;
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
 * One prefill matrix product on one thread, the two CPU kernels side by side: {@code tiles} is
 * SimdMatmul's 4 rows × 4 tokens dot-product tiles over L2-sized token blocks, {@code packed} is
 * PackedGemm's 6 rows × 64 tokens register-blocked GEMM over packed panels. One thread, so the figure is per
 * core: GFLOP/s = 2 · rows · cols · tokens / time, against a core's FMA peak. {@code packed-repacked}
 * is the packed GEMM over the weight as the vector backend repacks it (Q4_0Repacked, Q8_0Repacked), its
 * activations packed in that layout's column order.
 *
 * <p>Shapes of Llama-3.2-1B: {@code 2048x2048} (q, o), {@code 8192x2048} (gate, up: rows × cols),
 * {@code 2048x8192} (down).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class PrefillGemmBenchmark {
    @Param({"tiles", "packed", "packed-repacked"})
    public String kernel;

    @Param({"Q8_0", "Q4_0"})
    public String type;

    @Param({"2048x2048", "2048x8192"})
    public String shape;

    @Param({"256"})
    public int tokens;

    private Weight w;
    private float[] x;
    private float[] xp;
    private float[] out;
    /** packed-repacked: the repacked copy, its row decoder and its column order. */
    private MemorySegment repacked;
    private RowDecoder decoder;
    private int[] columns;

    @Setup(Level.Trial)
    public void setUp() {
        String[] rc = shape.split("x");
        int rows = Integer.parseInt(rc[0]), cols = Integer.parseInt(rc[1]);
        w = BenchInputs.weight(GGMLType.valueOf(type), rows, cols, 1);
        x = BenchInputs.gaussian(tokens * cols, 2);
        xp = new float[PackedGemm.packedSize((tokens + PackedGemm.NR - 1) / PackedGemm.NR, cols)];
        out = new float[tokens * rows];
        if (kernel.equals("packed-repacked")) {
            repacked = Arena.ofAuto().allocate(w.bytes(), 64);
            boolean q4 = w.type() == GGMLType.Q4_0;
            if (q4) Q4_0Repacked.repack(w.data(), repacked, 0, rows, cols, w.rowBytes());
            else Q8_0Repacked.repack(w.data(), repacked, 0, rows, cols, w.rowBytes());
            decoder = q4 ? RowDecoder.q4_0Repacked(cols) : RowDecoder.q8_0Repacked(cols);
            columns = q4 ? Q4_0Repacked.columns(cols) : Q8_0Repacked.columns(cols);
        }
    }

    @Benchmark
    public float[] matmul() {
        int rows = w.rows(), n = w.cols();
        if (repacked != null) {
            for (int j = 0; j * PackedGemm.NR < tokens; j++) {
                PackedGemm.packTile(x, n, columns, j * PackedGemm.NR, tokens, xp, j * PackedGemm.NR * n);
            }
            for (int r = 0; r < rows; r += PackedGemm.MC) {
                PackedGemm.multiply(decoder, repacked, w.rowBytes(), r, Math.min(rows, r + PackedGemm.MC), xp, 0, tokens,
                        n, out, rows);
            }
        } else if (kernel.equals("packed")) {
            // As VectorBackend: pack the token block once, then row blocks of MC rows.
            for (int j = 0; j * PackedGemm.NR < tokens; j++) {
                PackedGemm.packTile(x, n, j * PackedGemm.NR, tokens, xp, j * PackedGemm.NR * n);
            }
            for (int r = 0; r < rows; r += PackedGemm.MC) {
                PackedGemm.multiply(w.type(), w.data(), w.rowBytes(), r, Math.min(rows, r + PackedGemm.MC), xp, 0,
                        tokens, n, out, rows);
            }
        } else {
            // As VectorBackend before: L2-sized token blocks, 32-row (64 for 8192 rows) work items.
            int block = Math.max(1, Math.min(64, rows / 64));
            int tb = SimdMatmul.tokenBlock(n);
            for (int t0 = 0; t0 < tokens; t0 += tb) {
                for (int r = 0; r < rows; r += block) {
                    SimdMatmul.matmul(w.type(), w.data(), w.rowBytes(), r, Math.min(rows, r + block), x, t0,
                            Math.min(tokens, t0 + tb), n, out, rows);
                }
            }
        }
        return out;
    }
}
