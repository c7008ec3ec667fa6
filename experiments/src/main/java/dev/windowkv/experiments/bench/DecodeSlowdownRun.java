package dev.windowkv.experiments.bench;

import dev.windowkv.engine.backend.Backend;
import dev.windowkv.engine.backend.DeviceCounters;
import dev.windowkv.engine.model.Transformer;
import dev.windowkv.plots.DecodeSlowdown;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Issue 16's last check: a device backend's decode may slow with the prompt's length no more than
 * the decode's attention over the longer cache costs on the device. One generation per length
 * (FullKV), kept open while the samples alternate between them, so a stretch of load on this shared
 * machine falls on both lengths alike; each sample decodes a few tokens and reads the backend's
 * counters around them. The wall times the verdict compares come from samples with the device's
 * kernel profiler off, as a user's decode runs: with it on, TornadoVM waits for every kernel's event
 * to read its time, a cost of its own that grows with the kernels. Attention's device time comes from
 * profiled samples of the same generations, interleaved with those. The two generations must decode
 * their own caches: on tornado, for a long prompt under 256 tokens both round up to the same plan
 * bucket, and the backend gives each open generation a plan of its own ({@code TornadoBackend.plan};
 * until 2026-12-02 the second took the first's plan, which then threw or, at equal lengths, decoded
 * the other's cache). Both stay open (and are closed after) for that.
 */
public final class DecodeSlowdownRun {
    private DecodeSlowdownRun() {}

    /** The short prompt of the check: a few windows' worth, a cache whose attention costs almost nothing. */
    public static final int SHORT_PROMPT = 64;

    /** One value per sample after the short prompt and one after the long, sample {@code i} of each taken one after the other. */
    record Paired(List<Double> atShort, List<Double> atLong) {
        Paired() {
            this(new ArrayList<>(), new ArrayList<>());
        }

        List<Double> at(int length) {
            return length == 0 ? atShort : atLong;
        }

        /** Per sample, the long value minus the short one taken just before it. */
        List<Double> differences() {
            return DecodeSlowdownRun.minus(atLong, atShort);
        }

        Paired minus(Paired other) {
            return new Paired(DecodeSlowdownRun.minus(atShort, other.atShort), DecodeSlowdownRun.minus(atLong, other.atLong));
        }
    }

    /**
     * Decodes {@code samples} runs of {@code tokensPerSample} tokens after a {@code shortPrompt} and a
     * {@code longPrompt} (at least twice as long) on a device backend, alternating, each sample once with
     * the kernel profiler off and once with it on (which first alternates too), and summarises them.
     * Returns null, running nothing, when the backend cannot switch a kernel profiler. The backend's
     * profiler is left as it was.
     */
    public static DecodeSlowdown measure(EngineBench e, Backend b, int shortPrompt, int longPrompt, int tokensPerSample,
                                         int samples) {
        if (longPrompt < 2 * shortPrompt) {
            throw new IllegalArgumentException("the long prompt (" + longPrompt + ") must be at least twice the short one");
        }
        boolean wasProfiled = b.kernelsProfiled();
        if (!b.profileKernels(false)) return null;
        int room = 1 + 2 * samples * tokensPerSample;
        try (Transformer atShort = e.prefilled(shortPrompt, room); Transformer atLong = e.prefilled(longPrompt, room)) {
            Transformer[] tf = {atShort, atLong};
            Paired wall = new Paired(), profiledWall = new Paired(), attention = new Paired(), kernels = new Paired();
            for (Transformer t : tf) e.decodeMore(t, 1); // the first token carries the compaction: not a sample
            for (int s = 0; s < samples; s++) {
                for (int k = 0; k < 2; k++) {
                    boolean profiled = (s + k) % 2 == 1; // off first in even samples, on first in odd ones
                    b.profileKernels(profiled);
                    for (int i = 0; i < 2; i++) {
                        DeviceCounters before = b.deviceCounters();
                        double tokPerSec = e.decodeMore(tf[i], tokensPerSample);
                        DeviceCounters d = b.deviceCounters().minus(before);
                        if (profiled) {
                            profiledWall.at(i).add(1e3 / tokPerSec);
                            attention.at(i).add(d.attentionMillisPerToken());
                            kernels.at(i).add(d.kernelMillisPerToken());
                        } else {
                            wall.at(i).add(1e3 / tokPerSec);
                        }
                    }
                }
            }
            return summarize(shortPrompt, longPrompt, tokensPerSample, wall, profiledWall, attention, kernels);
        } finally {
            b.profileKernels(wasProfiled);
        }
    }

    /**
     * The slowdown (profiler off), the profiled samples' slowdown, attention's growth and the other
     * kernels' growth, each the mean over the samples of the long sample minus the short one taken
     * right before it (a pair shares the machine's load of that moment), and the verdict: within when
     * the slowdown exceeds attention's growth by no more than twice the standard error of the paired
     * wall-time differences, the margin the samples resolve (about 95%); the noise of a shared machine
     * widens it, not the verdict's meaning.
     */
    static DecodeSlowdown summarize(int shortPrompt, int longPrompt, int tokensPerSample, Paired wall, Paired profiledWall,
                                    Paired attention, Paired kernels) {
        List<Double> wallDiffs = wall.differences();
        double slowdown = mean(wallDiffs);
        double profiledSlowdown = mean(profiledWall.differences());
        double growth = mean(attention.differences());
        double other = mean(kernels.minus(attention).differences());
        double tolerance = wallDiffs.size() < 2 ? Double.NaN
                : 2 * standardDeviation(wallDiffs) / Math.sqrt(wallDiffs.size());
        boolean within = !Double.isNaN(growth) && !Double.isNaN(tolerance) && slowdown <= growth + tolerance;
        return new DecodeSlowdown(shortPrompt, longPrompt, tokensPerSample, List.copyOf(wall.atShort()),
                List.copyOf(wall.atLong()), List.copyOf(profiledWall.atShort()), List.copyOf(profiledWall.atLong()),
                List.copyOf(attention.atShort()), List.copyOf(attention.atLong()), List.copyOf(kernels.atShort()),
                List.copyOf(kernels.atLong()), slowdown, profiledSlowdown, growth, other, tolerance, within);
    }

    /** What `bench --backends` prints for the check, three lines. */
    static String describe(String backend, DecodeSlowdown s) {
        String head = String.format(Locale.ROOT, "%-8s decode after %d vs %d prompt tokens, %d samples of %d tokens, "
                        + "profiler off: %.2f ms/token (%.2f-%.2f) vs %.2f (%.2f-%.2f)", backend, s.longPrompt(),
                s.shortPrompt(), s.msPerTokenLong().size(), s.tokensPerSample(), median(s.msPerTokenLong()),
                min(s.msPerTokenLong()), max(s.msPerTokenLong()), median(s.msPerTokenShort()), min(s.msPerTokenShort()),
                max(s.msPerTokenShort()));
        String profiled = String.format(Locale.ROOT, "%n%-8s profiled samples (interleaved): %.2f ms/token vs %.2f, "
                        + "slowdown %+.2f ms/token (the profiler's waits add %+.2f)", backend,
                median(s.profiledMsPerTokenLong()), median(s.profiledMsPerTokenShort()), s.profiledSlowdownMs(),
                s.profiledSlowdownMs() - s.slowdownMs());
        if (Double.isNaN(s.attentionGrowthMs())) {
            return head + profiled + String.format(Locale.ROOT, "%n%-8s slowdown %+.2f ms/token (profiler off); no "
                    + "attention times from the profiled samples: no verdict", backend, s.slowdownMs());
        }
        return head + profiled + String.format(Locale.ROOT, "%n%-8s slowdown %+.2f ms/token (profiler off), attention's "
                        + "growth %+.2f ms/token (%.3f -> %.3f ms/token on the device), other kernels %+.2f: %s "
                        + "(tolerance %.2f ms/token, twice the paired differences' standard error)", backend,
                s.slowdownMs(), s.attentionGrowthMs(), median(s.attentionMsShort()), median(s.attentionMsLong()),
                s.otherKernelGrowthMs(), s.within() ? "within attention's growth" : "MORE than attention's growth",
                s.toleranceMs());
    }

    static double median(List<Double> xs) {
        if (xs.isEmpty()) return Double.NaN;
        double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int m = a.length / 2;
        return a.length % 2 == 1 ? a[m] : (a[m - 1] + a[m]) / 2;
    }

    private static double mean(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    private static double standardDeviation(List<Double> xs) {
        double m = mean(xs), sum = 0;
        for (double x : xs) sum += (x - m) * (x - m);
        return Math.sqrt(sum / (xs.size() - 1));
    }

    private static double min(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    private static double max(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    static List<Double> minus(List<Double> a, List<Double> b) {
        Double[] d = new Double[a.size()];
        for (int i = 0; i < d.length; i++) d[i] = a.get(i) - b.get(i);
        return Arrays.asList(d);
    }
}
