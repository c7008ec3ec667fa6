package dev.windowkv.engine.backend;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The vector backend's F32 decode attention a whole token long: every layer's cache (Llama-3.2-1B's
 * 16 layers of 32 query heads over 8 KV heads of 64, {@code keys} cached tokens, off the heap, so the
 * caches stream from memory as in a real decode), per head ({@code VectorAttention.decode}, the kernel
 * before) against four heads of a KV head at once ({@code decode4}), interleaved in one JVM on one
 * thread. Prints ms per token of each per round, by the thread's CPU time and by the wall clock, and
 * the median ratio.
 * {@code java --add-modules jdk.incubator.vector -cp <test class path> dev.windowkv.engine.backend.Decode4CpuTime 8192 7}
 */
public final class Decode4CpuTime {
    private static final int LAYERS = 16, HEADS = 32, KV_HEADS = 8, HEAD_DIM = 64;

    public static void main(String[] args) {
        int keys = Integer.parseInt(args[0]);
        int rounds = Integer.parseInt(args[1]);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        SplittableRandom rnd = new SplittableRandom(5);
        int cap = keys + 8;
        long floats = (long) KV_HEADS * cap * HEAD_DIM;
        float[] q = new float[HEADS * HEAD_DIM];
        for (int i = 0; i < q.length; i++) q[i] = (float) rnd.nextGaussian();
        float scale = (float) (1 / Math.sqrt(HEAD_DIM));
        try (Arena arena = Arena.ofShared()) {
            MemorySegment[] ks = new MemorySegment[LAYERS], vs = new MemorySegment[LAYERS];
            for (int l = 0; l < LAYERS; l++) {
                ks[l] = arena.allocate(floats * 4, 64);
                vs[l] = arena.allocate(floats * 4, 64);
                for (long i = 0; i < floats; i++) {
                    ks[l].setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i, (float) rnd.nextGaussian());
                    vs[l].setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i, (float) rnd.nextGaussian());
                }
            }
            float[] outOne = new float[q.length], outFour = new float[q.length];
            int group = HEADS / KV_HEADS;
            Runnable perHead = () -> {
                for (int l = 0; l < LAYERS; l++) {
                    for (int h = 0; h < HEADS; h++) {
                        VectorAttention.decode(q, h * HEAD_DIM, ks[l], vs[l], cap, keys, h / group, HEAD_DIM, outOne, h * HEAD_DIM, scale);
                    }
                }
            };
            Runnable four = () -> {
                for (int l = 0; l < LAYERS; l++) {
                    for (int i = 0; i < HEADS / 4; i++) VectorAttention.decode4(q, 4 * i, ks[l], vs[l], cap, keys, 4 * i / group, HEAD_DIM, outFour, scale);
                }
            };
            for (int w = 0; w < 5; w++) {
                perHead.run();
                four.run();
            }
            double[] ratios = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                double[] cpu = new double[2], wall = new double[2];
                for (int i = 0; i < 2; i++) {
                    int which = r % 2 == 0 ? i : 1 - i;
                    Runnable body = which == 0 ? perHead : four;
                    long c0 = mx.getCurrentThreadCpuTime(), w0 = System.nanoTime();
                    for (int j = 0; j < 3; j++) body.run();
                    cpu[which] = (mx.getCurrentThreadCpuTime() - c0) / 1e6 / 3;
                    wall[which] = (System.nanoTime() - w0) / 1e6 / 3;
                }
                ratios[r] = cpu[1] / cpu[0];
                System.out.printf("round %d: per head %.1f ms (wall %.1f), four heads at once %.1f ms (wall %.1f) per token, one thread%n",
                        r, cpu[0], wall[0], cpu[1], wall[1]);
            }
            float largest = 0, diff = 0;
            for (int i = 0; i < outOne.length; i++) {
                largest = Math.max(largest, Math.abs(outOne[i]));
                diff = Math.max(diff, Math.abs(outOne[i] - outFour[i]));
            }
            if (diff > 1e-5 * largest) throw new AssertionError("decode4 differs from decode: " + diff + " of " + largest);
            Arrays.sort(ratios);
            System.out.printf("%d keys: four heads at once / per head, CPU time, median %.3f, range %.3f-%.3f; outputs %s%n", keys,
                    ratios[rounds / 2], ratios[0], ratios[rounds - 1], diff == 0 ? "bit for bit equal" : "within 1e-5 (max diff " + diff + ")");
        }
    }
}
