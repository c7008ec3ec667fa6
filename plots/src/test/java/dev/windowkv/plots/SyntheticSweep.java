package dev.windowkv.plots;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A made-up but plausible sweep, built in code: six policies (WindowKV in two variants), four
 * budgets, QA and aggregation tasks, and a needle-in-a-haystack grid. Scores follow a saturating
 * curve in the budget plus seeded noise, so the figures look like real ones.
 */
final class SyntheticSweep {

    static final int LAYERS = 16;
    /** 8 KV heads x 64 dims x (K and V) x 2 bytes (fp16), per layer per token. */
    static final long BYTES_PER_TOKEN_PER_LAYER = 8 * 64 * 2 * 2;
    static final int[] BUDGETS = {128, 256, 512, 1024};
    static final int[] NEEDLE_LENGTHS = {1024, 2048, 4096, 8192};
    static final double[] DEPTHS = {0, 0.25, 0.5, 0.75, 1};

    record Policy(String id, String label, double quality) {
    }

    static final List<Policy> POLICIES = List.of(
            new Policy("streamingllm", "StreamingLLM", 0.45),
            new Policy("h2o", "H2O", 0.62),
            new Policy("snapkv", "SnapKV", 0.74),
            new Policy("pyramidkv", "PyramidKV", 0.77),
            new Policy("windowkv", "WindowKV (max)", 0.86),
            new Policy("windowkv", "WindowKV (mean)", 0.83));

    private SyntheticSweep() {
    }

    static List<SweepRow> rows() {
        Random rnd = new Random(42);
        List<SweepRow> rows = new ArrayList<>();
        String[][] tasks = {{"hotpotqa", "QA", "0.92"}, {"passage_count", "AGGREGATION", "0.70"}};
        for (String[] task : tasks) {
            double fullScore = Double.parseDouble(task[2]);
            for (int s = 0; s < 6; s++) {
                rows.add(row("full", "FullKV", null, task[0], task[1], 4096, null, s,
                        clamp(fullScore + 0.05 * rnd.nextGaussian())));
            }
            for (Policy p : POLICIES) {
                for (int b : BUDGETS) {
                    double mean = fullScore * (1 - (1 - p.quality) * Math.exp(-b / 400.0) * 1.4);
                    for (int s = 0; s < 6; s++) {
                        rows.add(row(p.id, p.label, b, task[0], task[1], 4096, null, s,
                                clamp(mean + 0.06 * rnd.nextGaussian())));
                    }
                }
            }
        }
        for (int len : NEEDLE_LENGTHS) {
            for (double d : DEPTHS) {
                rows.add(row("full", "FullKV", null, "niah", "QA", len, d, 0, 1.0));
                for (Policy p : POLICIES) {
                    for (int b : BUDGETS) {
                        double miss = (1 - p.quality) * (len / 4096.0) * (1 - Math.abs(d - 0.5)) * (256.0 / b);
                        rows.add(row(p.id, p.label, b, "niah", "QA", len, d, 0, clamp(1 - miss + 0.05 * rnd.nextGaussian())));
                    }
                }
            }
        }
        return rows;
    }

    static SweepRow row(String policy, String label, Integer budget, String task, String taskType, int length,
                        Double depth, int sample, double score) {
        int[] kept = keptPerLayer(policy, budget, length);
        long kvBytes = Arrays.stream(kept).asLongStream().sum() * BYTES_PER_TOKEN_PER_LAYER;
        long fullKvBytes = (long) length * LAYERS * BYTES_PER_TOKEN_PER_LAYER;
        return new SweepRow("Llama-3.2-1B-Instruct", "java", policy, label, Map.of(), budget, task, taskType,
                length, depth, 7, sample, score, kept, kvBytes, fullKvBytes, (double) kvBytes / fullKvBytes,
                800, budget == null ? 0 : 12, 300, 16, "answer", List.of("answer"));
    }

    /** Uniform for most; PyramidKV falls linearly with depth; WindowKV varies a little by layer. */
    static int[] keptPerLayer(String policy, Integer budget, int length) {
        int[] kept = new int[LAYERS];
        for (int l = 0; l < LAYERS; l++) {
            if (budget == null) {
                kept[l] = length;
            } else if (policy.equals("pyramidkv")) {
                kept[l] = (int) Math.round(budget * (1.75 - 1.5 * l / (LAYERS - 1.0)));
            } else if (policy.equals("windowkv")) {
                kept[l] = (int) Math.round(budget * (1 + 0.25 * Math.sin(l * 0.9)));
            } else {
                kept[l] = budget;
            }
            kept[l] = Math.min(kept[l], length);
        }
        return kept;
    }

    static BenchReport bench() {
        return new BenchReport("2 x Xeon (16 cores)", "2025-06-01T12:00:00Z", "Llama-3.2-1B-Instruct", 4096, List.of(
                new BackendResult("java", "CPU", 16, 410.5, 18.2, 35.0),
                new BackendResult("tornado", "NVIDIA H100", 0, 5230.0, 61.7, 4.1),
                new BackendResult("llama.cpp", "CPU", 16, 890.0, 27.4, 0)));
    }

    private static double clamp(double v) {
        return Math.max(0, Math.min(1, v));
    }
}
