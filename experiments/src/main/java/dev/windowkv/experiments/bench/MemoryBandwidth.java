package dev.windowkv.experiments.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * This machine's memory read bandwidth, measured the way decode reads weights: a SIMD streaming sum
 * over an off-heap segment far larger than the caches, split across threads. Decode cannot beat
 * {@code bandwidth / bytes per token}, so this is the yardstick for both engines.
 */
public final class MemoryBandwidth {
    private MemoryBandwidth() {}

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    /**
     * The read bandwidth at {@code all} threads and at one, taken back to back. On this project's VM the
     * host caps the whole VM's bandwidth for stretches of seconds to minutes: two threads then read
     * what one does (28 GB/s against 58 open; experiments/PERFORMANCE.md, "Session 10": "Our decode's slow mode is the VM's memory bandwidth"),
     * and a decode measured then is bound by the cap, not by its engine.
     */
    public record Scaling(double all, double one) {
        /** More threads read at least this much more than one while the bandwidth is open (1.8–2.0× open, 0.9–1.1× capped). */
        public static final double OPEN = 1.4;

        public boolean open() {
            return all >= OPEN * one;
        }
    }

    /** {@link Scaling} over {@code bytes} (1 GiB: a 256 MiB pass, a few ms, reads thread starts as much as bandwidth), best of two passes each. */
    public static Scaling scaling(long bytes, int threads) {
        try (Arena arena = Arena.ofShared()) {
            return scaling(filled(arena, bytes), threads, 2);
        }
    }

    /** {@link Scaling} over a segment of {@link #filled} bytes, best of {@code passes} passes each. */
    public static Scaling scaling(MemorySegment seg, int threads, int passes) {
        return new Scaling(measure(seg, threads, passes), measure(seg, 1, passes));
    }

    /** {@code bytes} of the arena's, written once so that every page is backed before a pass reads them. */
    public static MemorySegment filled(Arena arena, long bytes) {
        MemorySegment seg = arena.allocate(bytes, 64);
        seg.fill((byte) 1);
        return seg;
    }

    /** Best of {@code passes} full reads of {@code bytes} with {@code threads} threads, in GB/s (10^9 bytes). */
    public static double measure(long bytes, int threads, int passes) {
        try (Arena arena = Arena.ofShared()) {
            return measure(filled(arena, bytes), threads, passes);
        }
    }

    private static double measure(MemorySegment seg, int threads, int passes) {
        long bytes = seg.byteSize();
        double best = 0;
        for (int p = 0; p < passes; p++) {
            long t0 = System.nanoTime();
            Thread[] team = new Thread[threads];
            float[] sums = new float[threads];
            for (int i = 0; i < threads; i++) {
                final int id = i;
                long from = bytes * id / threads / 64 * 64;
                long to = bytes * (id + 1) / threads / 64 * 64;
                team[i] = new Thread(() -> sums[id] = sum(seg, from, to));
                team[i].start();
            }
            for (Thread t : team) join(t);
            double s = (System.nanoTime() - t0) / 1e9;
            float total = 0;
            for (float x : sums) total += x;
            if (Float.isNaN(total)) throw new IllegalStateException("impossible");
            best = Math.max(best, bytes / s / 1e9);
        }
        return best;
    }

    private static float sum(MemorySegment seg, long from, long to) {
        int step = F.vectorByteSize();
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        long o = from;
        for (; o + 4L * step <= to; o += 4L * step) {
            a0 = a0.add(FloatVector.fromMemorySegment(F, seg, o, ByteOrder.LITTLE_ENDIAN));
            a1 = a1.add(FloatVector.fromMemorySegment(F, seg, o + step, ByteOrder.LITTLE_ENDIAN));
            a2 = a2.add(FloatVector.fromMemorySegment(F, seg, o + 2L * step, ByteOrder.LITTLE_ENDIAN));
            a3 = a3.add(FloatVector.fromMemorySegment(F, seg, o + 3L * step, ByteOrder.LITTLE_ENDIAN));
        }
        float s = a0.add(a1).add(a2).add(a3).reduceLanes(VectorOperators.ADD);
        for (; o + 4 <= to; o += 4) s += seg.get(ValueLayout.JAVA_FLOAT_UNALIGNED, o);
        return s;
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
