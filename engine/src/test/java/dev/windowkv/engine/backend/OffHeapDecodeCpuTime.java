package dev.windowkv.engine.backend;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The vector backend's F32 decode attention over a cache layer on the heap ({@link VectorDecodeBefore},
 * the kernel before 2026-12-02's memory work) and off it ({@code VectorAttention.decode} over a
 * {@code MemorySegment}, as now), interleaved in one JVM on one thread, timed by that thread's CPU time.
 * One call covers every query head of one layer (32 heads of 64 over 8 KV heads). Prints µs per layer
 * of each per round and the median ratio off ÷ on the heap.
 * {@code java --add-modules jdk.incubator.vector -cp <test class path> dev.windowkv.engine.backend.OffHeapDecodeCpuTime 8192 7}
 */
public final class OffHeapDecodeCpuTime {
    private static final int HEADS = 32, KV_HEADS = 8, HEAD_DIM = 64;

    public static void main(String[] args) {
        int keys = Integer.parseInt(args[0]);
        int rounds = Integer.parseInt(args[1]);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        SplittableRandom rnd = new SplittableRandom(5);
        int cap = keys + 8;
        float[] k = new float[KV_HEADS * cap * HEAD_DIM], v = new float[k.length];
        for (int i = 0; i < k.length; i++) {
            k[i] = (float) rnd.nextGaussian();
            v[i] = (float) rnd.nextGaussian();
        }
        float[] q = new float[HEADS * HEAD_DIM];
        for (int i = 0; i < q.length; i++) q[i] = (float) rnd.nextGaussian();
        float scale = (float) (1 / Math.sqrt(HEAD_DIM));
        try (Arena arena = Arena.ofShared()) {
            MemorySegment ks = arena.allocate((long) k.length * 4, 64), vs = arena.allocate((long) v.length * 4, 64);
            MemorySegment.copy(k, 0, ks, ValueLayout.JAVA_FLOAT, 0, k.length);
            MemorySegment.copy(v, 0, vs, ValueLayout.JAVA_FLOAT, 0, v.length);
            float[] outHeap = new float[q.length], outOff = new float[q.length];
            int group = HEADS / KV_HEADS;
            Runnable heap = () -> {
                for (int h = 0; h < HEADS; h++) {
                    VectorDecodeBefore.decode(q, h * HEAD_DIM, k, v, cap, keys, h / group, HEAD_DIM, outHeap, h * HEAD_DIM, scale);
                }
            };
            Runnable off = () -> {
                for (int h = 0; h < HEADS; h++) {
                    VectorAttention.decode(q, h * HEAD_DIM, ks, vs, cap, keys, h / group, HEAD_DIM, outOff, h * HEAD_DIM, scale);
                }
            };
            int reps = Math.max(3, 400_000 / keys);
            for (int w = 0; w < 20; w++) {
                heap.run();
                off.run();
            }
            double[] ratios = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                double[] us = new double[2];
                for (int i = 0; i < 2; i++) {
                    int which = r % 2 == 0 ? i : 1 - i;
                    Runnable body = which == 0 ? heap : off;
                    long t0 = mx.getCurrentThreadCpuTime();
                    for (int j = 0; j < reps; j++) body.run();
                    us[which] = (mx.getCurrentThreadCpuTime() - t0) / 1e3 / reps;
                }
                ratios[r] = us[1] / us[0];
                System.out.printf("round %d: heap %.0f µs, off-heap %.0f µs per layer (CPU), off/heap %.3f%n", r, us[0], us[1],
                        ratios[r]);
            }
            if (!Arrays.equals(outHeap, outOff)) throw new AssertionError("off-heap decode differs from the heap one");
            Arrays.sort(ratios);
            System.out.printf("%d keys: off-heap / heap CPU time, median %.3f, range %.3f-%.3f%n", keys, ratios[rounds / 2],
                    ratios[0], ratios[rounds - 1]);
        }
    }
}
