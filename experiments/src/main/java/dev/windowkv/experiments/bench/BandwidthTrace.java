package dev.windowkv.experiments.bench;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The machine's read bandwidth at N threads and at one, sampled back to back for a while: whether a
 * second thread adds bandwidth (open) or the VM's bandwidth is capped (two threads read what one
 * does), and how long each state lasts. Run it before a benchmark, or beside a surprising one: on this
 * project's VM the state changes every few seconds to minutes, and a decode measured in a capped
 * stretch is bound by the cap (experiments/PERFORMANCE.md, "Session 10": "Our decode's slow mode is the VM's memory bandwidth").
 */
public final class BandwidthTrace {
    private BandwidthTrace() {}

    /** One sample: seconds since the start and the bandwidth at N threads and at one. */
    public record Sample(double seconds, MemoryBandwidth.Scaling scaling) {}

    /** Samples for {@code seconds} over {@code bytes} (1 GiB: ~0.1 s a sample; passes much shorter than that read thread starts as much as bandwidth), printing each one. */
    public static List<Sample> run(int threads, double seconds, long bytes, PrintStream out) {
        List<Sample> samples = new ArrayList<>();
        try (Arena arena = Arena.ofShared()) {
            MemorySegment seg = MemoryBandwidth.filled(arena, bytes);
            MemoryBandwidth.scaling(seg, threads, 2); // compiles the sum before the first sample counts
            long t0 = System.nanoTime();
            for (double s; (s = (System.nanoTime() - t0) / 1e9) < seconds; ) {
                MemoryBandwidth.Scaling x = MemoryBandwidth.scaling(seg, threads, 1);
                samples.add(new Sample(s, x));
                out.printf("%7.2f s  %d threads %5.1f GB/s, 1 thread %5.1f GB/s: %.2fx, %s%n", s, threads, x.all(), x.one(),
                        x.all() / x.one(), x.open() ? "open" : "capped");
            }
        }
        return samples;
    }

    /** The fraction of samples that found the bandwidth open, and the longest capped stretch in seconds. */
    public record Summary(int samples, double openFraction, double longestCappedSeconds) {}

    public static Summary summarize(List<Sample> samples) {
        int open = 0;
        double longest = 0, cappedSince = Double.NaN;
        for (int i = 0; i < samples.size(); i++) {
            Sample x = samples.get(i);
            if (x.scaling().open()) {
                open++;
                if (!Double.isNaN(cappedSince)) longest = Math.max(longest, x.seconds() - cappedSince);
                cappedSince = Double.NaN;
            } else if (Double.isNaN(cappedSince)) {
                cappedSince = x.seconds();
            }
        }
        if (!Double.isNaN(cappedSince)) longest = Math.max(longest, samples.getLast().seconds() - cappedSince);
        return new Summary(samples.size(), samples.isEmpty() ? Double.NaN : (double) open / samples.size(), longest);
    }
}
