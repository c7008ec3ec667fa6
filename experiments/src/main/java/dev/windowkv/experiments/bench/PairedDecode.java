package dev.windowkv.experiments.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Decode of both engines in short samples that alternate in time, compared pair by pair: ours, then
 * llama.cpp (llama-bench, one process per sample), then llama.cpp first in the next pair.
 *
 * <p>On this project's 2-core VM the machine has stretches of seconds in which both engines decode
 * 1.5× slower, and a memory monitor that stalls a token every half second
 * (experiments/PERFORMANCE.md, "three rounds"). A round's one sample per engine lands in whichever
 * stretch it lands in; pairs taken seconds apart share theirs, and their ratios' median says which
 * engine decodes faster.
 */
public final class PairedDecode {
    private PairedDecode() {}

    /** One pair: our tokens per second and llama.cpp's, taken one right after the other. */
    public record Pair(double ours, double llamaCpp) {
        public double ratio() {
            return ours / llamaCpp;
        }
    }

    /** The pairs of {@code tokens}-token decodes after an empty context, and their ratios' summary. */
    public record Result(int tokens, List<Pair> pairs, double medianRatio, double minRatio, double maxRatio,
                         int pairsAtLeastEven) {}

    /** Takes {@code pairs} pairs of {@code tokens}-token decodes; the engine that goes first alternates. */
    public static Result measure(EngineBench e, LlamaBench llama, Path model, int threads, int tokens, int pairs) {
        List<Pair> out = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            double ours, theirs;
            if (i % 2 == 0) {
                ours = e.decode(tokens, 1, 1).mean();
                theirs = llamaDecode(llama, model, threads, tokens);
            } else {
                theirs = llamaDecode(llama, model, threads, tokens);
                ours = e.decode(tokens, 1, 1).mean();
            }
            out.add(new Pair(ours, theirs));
        }
        return summarize(tokens, out);
    }

    private static double llamaDecode(LlamaBench llama, Path model, int threads, int tokens) {
        return llama.run(model, List.of(threads), List.of(0), List.of(tokens), 0, 1).getFirst().avgTokPerSec();
    }

    static Result summarize(int tokens, List<Pair> pairs) {
        double[] r = pairs.stream().mapToDouble(Pair::ratio).sorted().toArray();
        if (r.length == 0) return new Result(tokens, List.copyOf(pairs), Double.NaN, Double.NaN, Double.NaN, 0);
        double median = r.length % 2 == 1 ? r[r.length / 2] : (r[r.length / 2 - 1] + r[r.length / 2]) / 2;
        int even = (int) Arrays.stream(r).filter(x -> x >= 1.0).count();
        return new Result(tokens, List.copyOf(pairs), median, r[0], r[r.length - 1], even);
    }
}
