package dev.windowkv.engine.bench;

import dev.windowkv.engine.backend.VectorBackend;
import dev.windowkv.engine.backend.simd.DecodeKernelsBefore;
import dev.windowkv.engine.backend.simd.Q8_0TwoStreams;
import dev.windowkv.engine.backend.simd.SimdMatmul;
import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.engine.model.Weight;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Decode's matrix-vector kernels on one thread, timed by the thread's CPU time so that a machine
 * loaded by other processes still gives usable figures (DecodeKernelBenchmark is the JMH twin, in
 * wall time). Per weight type and matrix size: a SIMD streaming sum over the same bytes (what the
 * memory system gives one thread), the kernels this replaced (DecodeKernelsBefore) and the current
 * ones, interleaved, best and median of {@code reps} after warm-up, in GB/s of weights per CPU-second.
 * 256 rows of 2,048 stay in L2 (the kernel's compute ceiling), 65,536 rows come from DRAM. Then the
 * cost of handing a 2-item loop to the backend's worker pool (decode runs ~120 of them per token).
 * Run with the JMH class path (engine/scripts/jmh.sh builds it):
 * {@code java --add-modules jdk.incubator.vector -cp <that> dev.windowkv.engine.bench.DecodeCpuTime 256,65536 15}
 */
public final class DecodeCpuTime {
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private interface Kernel {
        float run(Weight w, float[] x, float[] out);
    }

    public static void main(String[] args) {
        int[] sizes = Arrays.stream(args[0].split(",")).mapToInt(Integer::parseInt).toArray();
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        String[] names = {"streaming sum", "before", "two streams", "now"};
        Kernel[] kernels = {
            (w, x, out) -> sum(w.data(), w.rows() * w.rowBytes()),
            (w, x, out) -> {
                DecodeKernelsBefore.dotRows(w.type(), w.data(), w.rowBytes(), 0, w.rows(), x, 0, w.cols(), out, 0);
                return out[0];
            },
            (w, x, out) -> {
                if (w.type() == GGMLType.Q8_0) Q8_0TwoStreams.dotRows(w.data(), w.rowBytes(), 0, w.rows(), x, 0, w.cols(), out, 0);
                else SimdMatmul.dotRows(w.type(), w.data(), w.rowBytes(), 0, w.rows(), x, 0, w.cols(), out, 0);
                return out[0];
            },
            (w, x, out) -> {
                SimdMatmul.dotRows(w.type(), w.data(), w.rowBytes(), 0, w.rows(), x, 0, w.cols(), out, 0);
                return out[0];
            },
        };
        float keep = 0;
        for (int rows : sizes) {
            for (GGMLType t : new GGMLType[] {GGMLType.Q8_0, GGMLType.Q4_0}) {
                Weight w = BenchInputs.weight(t, rows, BenchInputs.DIM, 1);
                float[] x = BenchInputs.gaussian(w.cols(), 2);
                float[] out = new float[rows];
                long bytes = rows * w.rowBytes();
                int inner = (int) Math.max(1, 50_000_000L / bytes);
                double[][] gbs = new double[kernels.length][reps];
                for (int rep = -3; rep < reps; rep++) {
                    for (int k = 0; k < kernels.length; k++) {
                        long c0 = MX.getCurrentThreadCpuTime();
                        for (int i = 0; i < inner; i++) keep += kernels[k].run(w, x, out);
                        long c1 = MX.getCurrentThreadCpuTime();
                        if (rep >= 0) gbs[k][rep] = (double) bytes * inner / (c1 - c0);
                    }
                }
                for (int k = 0; k < kernels.length; k++) {
                    Arrays.sort(gbs[k]);
                    double best = gbs[k][reps - 1];
                    System.out.printf("%s %6d rows (%6.1f MB) %-13s best %5.1f GB/s per CPU-second, median %5.1f, %.2f ns per block%n",
                            t, rows, bytes / 1e6, names[k], best, gbs[k][reps / 2], t.byteSize(32) / best);
                }
            }
        }
        handOff();
        if (keep == 42) System.out.println();
    }

    /** Wall time of one parallelFor of two empty items on a 2-thread backend, median of 5 rounds. */
    private static void handOff() {
        try (VectorBackend b = new VectorBackend(2)) {
            long[] sink = new long[32];
            double[] us = new double[5];
            for (int round = 0; round < us.length; round++) {
                int runs = 100_000;
                long t0 = System.nanoTime();
                for (int r = 0; r < runs; r++) b.parallelFor(2, i -> sink[i * 16]++);
                us[round] = (System.nanoTime() - t0) / 1e3 / runs;
            }
            Arrays.sort(us);
            System.out.printf("hand-off: one parallelFor of 2 empty items on 2 threads: median %.2f us, best %.2f us%n", us[2], us[0]);
        }
    }

    private static float sum(MemorySegment seg, long bytes) {
        int step = F.vectorByteSize();
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (long o = 0; o + 4L * step <= bytes; o += 4L * step) {
            a0 = a0.add(FloatVector.fromMemorySegment(F, seg, o, ByteOrder.LITTLE_ENDIAN));
            a1 = a1.add(FloatVector.fromMemorySegment(F, seg, o + step, ByteOrder.LITTLE_ENDIAN));
            a2 = a2.add(FloatVector.fromMemorySegment(F, seg, o + 2L * step, ByteOrder.LITTLE_ENDIAN));
            a3 = a3.add(FloatVector.fromMemorySegment(F, seg, o + 3L * step, ByteOrder.LITTLE_ENDIAN));
        }
        return a0.add(a1).add(a2).add(a3).reduceLanes(VectorOperators.ADD);
    }
}
