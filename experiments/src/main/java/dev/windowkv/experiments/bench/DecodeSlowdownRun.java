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
 * counters around them (wall time from the clock, attention and kernel time from TornadoVM's
 * profiler). The two generations use separate device plans: their prompt lengths and cache
 * capacities round up to different buckets when the long prompt is at least twice the short one.
 */
public final class DecodeSlowdownRun {
    private DecodeSlowdownRun() {}

    /** The short prompt of the check: a few windows' worth, a cache whose attention costs almost nothing. */
    public static final int SHORT_PROMPT = 64;

    /**
     * Decodes {@code samples} runs of {@code tokensPerSample} tokens after a {@code shortPrompt} and a
     * {@code longPrompt} (at least twice as long) on a device backend, alternating, and summarises them.
     */
    public static DecodeSlowdown measure(EngineBench e, Backend b, int shortPrompt, int longPrompt, int tokensPerSample,
                                         int samples) {
        if (longPrompt < 2 * shortPrompt) {
            throw new IllegalArgumentException("the long prompt (" + longPrompt + ") must be at least twice the short one");
        }
        int room = 1 + samples * tokensPerSample;
        Transformer[] tf = {e.prefilled(shortPrompt, room), e.prefilled(longPrompt, room)};
        List<List<Double>> wall = List.of(new ArrayList<>(), new ArrayList<>());
        List<List<Double>> attention = List.of(new ArrayList<>(), new ArrayList<>());
        List<List<Double>> kernels = List.of(new ArrayList<>(), new ArrayList<>());
        for (Transformer t : tf) e.decodeMore(t, 1); // the first token carries the compaction: not a sample
        for (int s = 0; s < samples; s++) {
            for (int i = 0; i < 2; i++) {
                DeviceCounters before = b.deviceCounters();
                double tokPerSec = e.decodeMore(tf[i], tokensPerSample);
                DeviceCounters d = b.deviceCounters().minus(before);
                wall.get(i).add(1e3 / tokPerSec);
                attention.get(i).add(d.attentionMillisPerToken());
                kernels.get(i).add(d.kernelMillisPerToken());
            }
        }
        return summarize(shortPrompt, longPrompt, tokensPerSample, wall.get(0), wall.get(1), attention.get(0),
                attention.get(1), kernels.get(0), kernels.get(1));
    }

    /**
     * The slowdown, attention's growth and the other kernels' growth, each the mean over the samples
     * of the long sample minus the short one taken right before it (a pair shares the machine's load
     * of that moment), and the verdict: within when the slowdown exceeds attention's growth by no more
     * than twice the standard error of the paired wall-time differences, the margin the samples
     * resolve (about 95%); the noise of a shared machine widens it, not the verdict's meaning.
     */
    static DecodeSlowdown summarize(int shortPrompt, int longPrompt, int tokensPerSample, List<Double> wallShort,
                                    List<Double> wallLong, List<Double> attentionShort, List<Double> attentionLong,
                                    List<Double> kernelShort, List<Double> kernelLong) {
        List<Double> wall = minus(wallLong, wallShort);
        double slowdown = mean(wall);
        double growth = mean(minus(attentionLong, attentionShort));
        double other = mean(minus(minus(kernelLong, attentionLong), minus(kernelShort, attentionShort)));
        double tolerance = wall.size() < 2 ? Double.NaN : 2 * standardDeviation(wall) / Math.sqrt(wall.size());
        boolean within = !Double.isNaN(growth) && !Double.isNaN(tolerance) && slowdown <= growth + tolerance;
        return new DecodeSlowdown(shortPrompt, longPrompt, tokensPerSample, List.copyOf(wallShort), List.copyOf(wallLong),
                List.copyOf(attentionShort), List.copyOf(attentionLong), List.copyOf(kernelShort), List.copyOf(kernelLong),
                slowdown, growth, other, tolerance, within);
    }

    /** What `bench --backends` prints for the check, two lines. */
    static String describe(String backend, DecodeSlowdown s) {
        String head = String.format(Locale.ROOT, "%-8s decode after %d vs %d prompt tokens, %d samples of %d tokens: "
                        + "%.2f ms/token (%.2f-%.2f) vs %.2f (%.2f-%.2f)", backend, s.longPrompt(), s.shortPrompt(),
                s.msPerTokenLong().size(), s.tokensPerSample(), median(s.msPerTokenLong()), min(s.msPerTokenLong()),
                max(s.msPerTokenLong()), median(s.msPerTokenShort()), min(s.msPerTokenShort()), max(s.msPerTokenShort()));
        if (Double.isNaN(s.attentionGrowthMs())) {
            return head + String.format(Locale.ROOT, "%n%-8s slowdown %+.2f ms/token; attention's device time needs "
                    + "TornadoVM's profiler (-Dwindowkv.tornado.profiler=true)", backend, s.slowdownMs());
        }
        return head + String.format(Locale.ROOT, "%n%-8s slowdown %+.2f ms/token, attention's growth %+.2f ms/token "
                        + "(%.3f -> %.3f ms/token on the device), other kernels %+.2f: %s (tolerance %.2f ms/token, twice "
                        + "the paired differences' standard error)", backend, s.slowdownMs(), s.attentionGrowthMs(),
                median(s.attentionMsShort()), median(s.attentionMsLong()), s.otherKernelGrowthMs(),
                s.within() ? "within attention's growth" : "MORE than attention's growth", s.toleranceMs());
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

    private static List<Double> minus(List<Double> a, List<Double> b) {
        Double[] d = new Double[a.size()];
        for (int i = 0; i < d.length; i++) d[i] = a.get(i) - b.get(i);
        return Arrays.asList(d);
    }
}
