package dev.windowkv.experiments.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * Decode of both engines in short samples that alternate in time, compared pair by pair: ours, then
 * llama.cpp (llama-bench, one process per sample), then llama.cpp first in the next pair. Before and
 * after each pair the machine's bandwidth state is read ({@link MemoryBandwidth#scaling}), and the
 * pairs are summarized per state.
 *
 * <p>On this project's 2-core VM the host caps the VM's memory bandwidth for stretches of seconds to
 * minutes (two threads then read 28 GB/s, what one reads; open, 58), and a memory monitor stalls a
 * token every half second (experiments/PERFORMANCE.md, "Session 10": "Our decode's slow mode is the VM's memory bandwidth"). A round's one sample
 * per engine lands in whichever state it lands in; pairs taken seconds apart share theirs, and their
 * ratios' median per state says which engine decodes faster in it.
 */
public final class PairedDecode {
    private PairedDecode() {}

    /** Both reads, before and after the pair, found the bandwidth open. */
    public static final String OPEN = "open";
    /** Both found it capped. */
    public static final String CAPPED = "capped";
    /** The state changed during the pair. */
    public static final String MIXED = "mixed";
    /** Not read: one thread has nothing to compare with. */
    public static final String UNREAD = "not read";

    /** One pair: our tokens per second and llama.cpp's, taken one right after the other, and the bandwidth state around them. */
    public record Pair(double ours, double llamaCpp, MemoryBandwidth.Scaling before, MemoryBandwidth.Scaling after) {
        public double ratio() {
            return ours / llamaCpp;
        }

        public String state() {
            return PairedDecode.state(before, after);
        }
    }

    /** The state of a stretch read {@code before} and {@code after} it (null: not read). */
    static String state(MemoryBandwidth.Scaling before, MemoryBandwidth.Scaling after) {
        if (before == null || after == null) return UNREAD;
        if (before.open() && after.open()) return OPEN;
        if (!before.open() && !after.open()) return CAPPED;
        return MIXED;
    }

    /** The pairs of one state: how many, and the medians of their ratios and of each engine's speed. */
    public record StateSummary(String state, int pairs, double medianRatio, double medianOurs, double medianLlamaCpp) {}

    /** The pairs of {@code tokens}-token decodes after an empty context, and their ratios' summary, overall and per state. */
    public record Result(int tokens, List<Pair> pairs, double medianRatio, double minRatio, double maxRatio,
                         int pairsAtLeastEven, List<StateSummary> byState) {}

    /** Takes {@code pairs} pairs of {@code tokens}-token decodes; the engine that goes first alternates. */
    public static Result measure(EngineBench e, LlamaBench llama, Path model, int threads, int tokens, int pairs) {
        Supplier<MemoryBandwidth.Scaling> state = () -> threads > 1 ? MemoryBandwidth.scaling(1L << 30, threads) : null;
        List<Pair> out = new ArrayList<>();
        MemoryBandwidth.Scaling before = state.get();
        for (int i = 0; i < pairs; i++) {
            double ours, theirs;
            if (i % 2 == 0) {
                ours = e.decode(tokens, 1, 1).mean();
                theirs = llamaDecode(llama, model, threads, tokens);
            } else {
                theirs = llamaDecode(llama, model, threads, tokens);
                ours = e.decode(tokens, 1, 1).mean();
            }
            MemoryBandwidth.Scaling after = state.get();
            out.add(new Pair(ours, theirs, before, after));
            before = after;
        }
        return summarize(tokens, out);
    }

    private static double llamaDecode(LlamaBench llama, Path model, int threads, int tokens) {
        return llama.run(model, List.of(threads), List.of(0), List.of(tokens), 0, 1).getFirst().avgTokPerSec();
    }

    static Result summarize(int tokens, List<Pair> pairs) {
        double[] r = pairs.stream().mapToDouble(Pair::ratio).sorted().toArray();
        if (r.length == 0) return new Result(tokens, List.copyOf(pairs), Double.NaN, Double.NaN, Double.NaN, 0, List.of());
        int even = (int) Arrays.stream(r).filter(x -> x >= 1.0).count();
        List<StateSummary> byState = new ArrayList<>();
        for (String s : List.of(OPEN, CAPPED, MIXED, UNREAD)) {
            List<Pair> of = pairs.stream().filter(p -> p.state().equals(s)).toList();
            if (of.isEmpty()) continue;
            byState.add(new StateSummary(s, of.size(), median(of.stream().map(Pair::ratio).toList()),
                    median(of.stream().map(Pair::ours).toList()), median(of.stream().map(Pair::llamaCpp).toList())));
        }
        return new Result(tokens, List.copyOf(pairs), median(Arrays.stream(r).boxed().toList()), r[0], r[r.length - 1], even,
                List.copyOf(byState));
    }

    private static double median(List<Double> xs) {
        return DecodeSlowdownRun.median(xs);
    }
}
