package dev.windowkv.engine.bench;

import dev.windowkv.engine.backend.simd.PackedGemm;
import dev.windowkv.engine.backend.simd.SimdMatmul;
import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.engine.model.Weight;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The prefill kernels' share of FMA peak on one core, timed by the thread's CPU time, so that a
 * machine loaded by other processes (which takes the core away, not the arithmetic) still gives
 * usable figures: first the core's FMA peak (12 independent FMA chains, nothing from memory), then
 * PackedGemm and SimdMatmul's 4 × 4 tiles on each shape, interleaved, median of 8 after warm-up.
 * Run with the JMH class path (engine/scripts/jmh.sh builds it):
 * {@code java --add-modules jdk.incubator.vector -cp <that> dev.windowkv.engine.bench.PrefillCpuTime 256 2048x2048,2048x8192 Q8_0,Q4_0}
 */
public final class PrefillCpuTime {
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) {
        int tokens = Integer.parseInt(args[0]);
        double peak = fmaPeak();
        System.out.printf("FMA peak, one core: %.1f GFLOP/s (%.2f G %d-lane FMAs/s)%n", peak, peak / 2 / F.length(), F.length());
        for (String shape : args[1].split(",")) {
            for (String type : args[2].split(",")) {
                String[] rc = shape.split("x");
                Weight w = BenchInputs.weight(GGMLType.valueOf(type), Integer.parseInt(rc[0]), Integer.parseInt(rc[1]), 1);
                double[] g = gemm(w, tokens);
                System.out.printf("%s %s (rows x cols), %d tokens: packed %.1f GFLOP/s (%.0f%% of peak), tiles %.1f (%.0f%%), packed / tiles %.2f%n",
                        type, shape, tokens, g[0], 100 * g[0] / peak, g[1], 100 * g[1] / peak, g[0] / g[1]);
            }
        }
    }

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    /** GFLOP/s per CPU-second of {packed, tiles}, the medians of 8 interleaved runs after 6 of warm-up. */
    private static double[] gemm(Weight w, int tokens) {
        int rows = w.rows(), n = w.cols();
        float[] x = BenchInputs.gaussian(tokens * n, 2);
        float[] xp = new float[PackedGemm.packedSize((tokens + PackedGemm.NR - 1) / PackedGemm.NR, n)];
        float[] out = new float[tokens * rows];
        double flop = 2.0 * rows * n * tokens;
        List<Double> packed = new ArrayList<>(), tiles = new ArrayList<>();
        for (int rep = 0; rep < 14; rep++) {
            long c0 = MX.getCurrentThreadCpuTime();
            for (int j = 0; j * PackedGemm.NR < tokens; j++) {
                PackedGemm.packTile(x, n, j * PackedGemm.NR, tokens, xp, j * PackedGemm.NR * n);
            }
            for (int r = 0; r < rows; r += PackedGemm.MC) {
                PackedGemm.multiply(w.type(), w.data(), w.rowBytes(), r, Math.min(rows, r + PackedGemm.MC), xp, 0, tokens,
                        n, out, rows);
            }
            long c1 = MX.getCurrentThreadCpuTime();
            int block = Math.max(1, Math.min(64, rows / 64));
            int tb = SimdMatmul.tokenBlock(n);
            for (int t0 = 0; t0 < tokens; t0 += tb) {
                for (int r = 0; r < rows; r += block) {
                    SimdMatmul.matmul(w.type(), w.data(), w.rowBytes(), r, Math.min(rows, r + block), x, t0,
                            Math.min(tokens, t0 + tb), n, out, rows);
                }
            }
            long c2 = MX.getCurrentThreadCpuTime();
            if (rep >= 6) {
                packed.add(flop / (c1 - c0));
                tiles.add(flop / (c2 - c1));
            }
        }
        Collections.sort(packed);
        Collections.sort(tiles);
        return new double[] {packed.get(packed.size() / 2), tiles.get(tiles.size() / 2)};
    }

    /** The best of 8 runs of 12 independent FMA chains, in GFLOP/s. */
    static double fmaPeak() {
        float[] seed = new float[2 * F.length()];
        seed[0] = 0.5f;
        double best = 0;
        float keep = 0;
        long iters = 20_000_000L;
        for (int rep = 0; rep < 8; rep++) {
            long c0 = MX.getCurrentThreadCpuTime();
            keep += chains(iters, seed);
            best = Math.max(best, iters * 12.0 * 2 * F.length() / (MX.getCurrentThreadCpuTime() - c0));
        }
        if (keep == 42) System.out.println();
        return best;
    }

    private static float chains(long iters, float[] seed) {
        FloatVector m = FloatVector.fromArray(F, seed, 0), a = FloatVector.fromArray(F, seed, F.length());
        FloatVector c0 = a, c1 = a.add(1f), c2 = a.add(2f), c3 = a.add(3f), c4 = a.add(4f), c5 = a.add(5f);
        FloatVector c6 = a.add(6f), c7 = a.add(7f), c8 = a.add(8f), c9 = a.add(9f), c10 = a.add(10f), c11 = a.add(11f);
        for (long i = 0; i < iters; i++) {
            c0 = c0.fma(m, a); c1 = c1.fma(m, a); c2 = c2.fma(m, a); c3 = c3.fma(m, a); c4 = c4.fma(m, a); c5 = c5.fma(m, a);
            c6 = c6.fma(m, a); c7 = c7.fma(m, a); c8 = c8.fma(m, a); c9 = c9.fma(m, a); c10 = c10.fma(m, a); c11 = c11.fma(m, a);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .reduceLanes(VectorOperators.ADD);
    }
}
