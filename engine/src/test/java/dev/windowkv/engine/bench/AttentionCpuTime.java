package dev.windowkv.engine.bench;

import static dev.windowkv.engine.bench.BenchInputs.HEADS;
import static dev.windowkv.engine.bench.BenchInputs.HEAD_DIM;
import static dev.windowkv.engine.bench.BenchInputs.KV_HEADS;

import dev.windowkv.engine.backend.VectorAttentionBefore;
import dev.windowkv.engine.backend.VectorBackend;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The vector backend's causal prefill attention against the kernel it replaced on 2026-12-02
 * (VectorAttentionBefore), interleaved in one JVM, timed by the CPU time of the threads that ran it,
 * so that a machine loaded by other processes still gives usable figures. The case is what
 * Transformer.prefill runs last for a prompt of {@code keys} tokens: its final 512-token chunk
 * ({@code pos0 = keys - 512}) over every key so far, at Llama-3.2-1B's heads (32 query heads of 64 over
 * 8 KV heads), on one thread and on a pool of {@code threads}. Each round runs old and new (new first
 * in odd rounds) and prints GFLOP/s per CPU-second of the threads (4 · headDim FLOPs per head and
 * visible query–key pair: the scores and the weighted values), the share of one core's FMA peak
 * (PrefillCpuTime's 12 FMA chains; per CPU-second, so per core), the wall time and new ÷ old; then the
 * median and spread over the rounds.
 * Run with the JMH class path (engine/scripts/jmh.sh builds it):
 * {@code java --add-modules jdk.incubator.vector -cp <that> dev.windowkv.engine.bench.AttentionCpuTime 2048,8192 5 2}
 */
public final class AttentionCpuTime {
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
    /** Transformer.prefill's chunk (llama.cpp's ubatch). */
    private static final int CHUNK = 512;

    public static void main(String[] args) {
        int[] sizes = Arrays.stream(args[0].split(",")).mapToInt(Integer::parseInt).toArray();
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : Runtime.getRuntime().availableProcessors();
        double peak = PrefillCpuTime.fmaPeak();
        System.out.printf("FMA peak, one core: %.1f GFLOP/s; last %d-token chunk of a prefill, %d heads of %d over %d KV heads%n",
                peak, CHUNK, HEADS, HEAD_DIM, KV_HEADS);
        List<String> summary = new ArrayList<>();
        try (VectorBackend one = new VectorBackend(1); VectorBackend pool = new VectorBackend(threads)) {
            long[] oneIds = {Thread.currentThread().threadId()};
            long[] poolIds = poolThreads();
            for (int keys : sizes) {
                int n = Math.min(CHUNK, keys), pos0 = keys - n;
                float[] q = BenchInputs.gaussian(n * HEADS * HEAD_DIM, 1);
                float[] k = BenchInputs.gaussian(keys * KV_HEADS * HEAD_DIM, 2);
                float[] v = BenchInputs.gaussian(keys * KV_HEADS * HEAD_DIM, 3);
                float[] outOld = new float[q.length], outNew = new float[q.length];
                float[] kt = VectorAttentionBefore.buffer(keys, KV_HEADS, HEAD_DIM);
                double flop = 4.0 * HEAD_DIM * HEADS * ((double) n * pos0 + (double) n * (n + 1) / 2);
                for (VectorBackend b : new VectorBackend[] {one, pool}) {
                    long[] ids = b == one ? oneIds : poolIds;
                    Runnable old = () -> VectorAttentionBefore.attentionPrefill(b, q, k, v, outOld, n, pos0, HEADS, KV_HEADS,
                            HEAD_DIM, kt);
                    Runnable now = () -> b.attentionPrefill(q, k, v, outNew, n, pos0, HEADS, KV_HEADS, HEAD_DIM);
                    for (int w = 0; w < 2; w++) {
                        old.run();
                        now.run();
                    }
                    String what = String.format("%5d keys, %d thread%s", keys, b.threads(), b.threads() == 1 ? " " : "s");
                    System.out.printf("%s: largest |new - old| %.2e (outputs up to %.2f)%n", what, maxDiff(outOld, outNew),
                            maxAbs(outOld));
                    double[] ratio = new double[rounds], gOld = new double[rounds], gNew = new double[rounds];
                    for (int r = 0; r < rounds; r++) {
                        double[] o, m;
                        if (r % 2 == 0) {
                            o = time(old, ids);
                            m = time(now, ids);
                        } else {
                            m = time(now, ids);
                            o = time(old, ids);
                        }
                        gOld[r] = flop / o[0];
                        gNew[r] = flop / m[0];
                        ratio[r] = gNew[r] / gOld[r];
                        System.out.printf("%s round %d: old %5.1f GFLOP/s per CPU-second (%2.0f%% of peak, %6.1f ms wall),"
                                        + " new %5.1f (%2.0f%%, %6.1f ms), new / old %.2f%n", what, r + 1, gOld[r],
                                100 * gOld[r] / peak, o[1] / 1e6, gNew[r], 100 * gNew[r] / peak, m[1] / 1e6, ratio[r]);
                    }
                    Arrays.sort(ratio);
                    Arrays.sort(gOld);
                    Arrays.sort(gNew);
                    summary.add(String.format("%s: old %5.1f GFLOP/s per CPU-second (%.0f%% of peak), new %5.1f (%.0f%%),"
                                    + " new / old median %.2f (%.2f-%.2f over %d rounds)", what, gOld[rounds / 2],
                            100 * gOld[rounds / 2] / peak, gNew[rounds / 2], 100 * gNew[rounds / 2] / peak, ratio[rounds / 2],
                            ratio[0], ratio[rounds - 1], rounds));
                }
            }
        }
        System.out.println("medians:");
        summary.forEach(System.out::println);
    }

    /** {CPU nanoseconds of the threads, wall nanoseconds} of one run. */
    private static double[] time(Runnable run, long[] ids) {
        long c0 = cpu(ids), w0 = System.nanoTime();
        run.run();
        long w1 = System.nanoTime(), c1 = cpu(ids);
        return new double[] {c1 - c0, w1 - w0};
    }

    private static long cpu(long[] ids) {
        long sum = 0;
        for (long id : ids) sum += MX.getThreadCpuTime(id);
        return sum;
    }

    /** This thread (the pool's caller runs work items too) and the pool's workers (WorkerPool names them). */
    private static long[] poolThreads() {
        List<Long> ids = new ArrayList<>(List.of(Thread.currentThread().threadId()));
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("wkv-worker-")) ids.add(t.threadId());
        }
        return ids.stream().mapToLong(Long::longValue).toArray();
    }

    private static double maxDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }

    private static double maxAbs(float[] a) {
        double m = 0;
        for (float x : a) m = Math.max(m, Math.abs(x));
        return m;
    }
}
