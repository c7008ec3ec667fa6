package dev.windowkv.experiments.sweep;

import dev.windowkv.engine.kvcache.KvPolicy;
import dev.windowkv.engine.kvcache.Policies;
import dev.windowkv.experiments.longbench.LongBenchDataset;
import dev.windowkv.experiments.tasks.TaskSuite;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * Everything a sweep config asks for, as rows that do not exist yet: the cells (model × task ×
 * length × depth × sample), the policy runs, and each row's identity.
 *
 * <p>A row's identity is everything that can change its result: the model's content (not its
 * path), the task and the sample's coordinates and seed, the haystack, the policy with every option
 * resolved (defaults included) and its label, the budget, the generation budget, the KV dtype, the
 * backend and the task classifier. A resume runs only the identities missing from the results file;
 * the summary and the plots use only rows whose identity is in the plan, so a row made under other
 * settings is never reported as this config's.
 */
public final class SweepPlan {
    /**
     * One policy variant at one budget, as a result row names it: a token {@code budget}, or a kept
     * fraction {@code ratio} that each prompt resolves to its own budget (the other is null; both
     * are null for FullKV).
     */
    public record Run(PolicySpec spec, Integer budget, Double ratio, KvPolicy policy) {
        /** The token budget on a prompt of {@code promptLength} tokens; null for FullKV. */
        public Integer budgetFor(int promptLength) {
            return ratio != null ? Integer.valueOf(((dev.windowkv.engine.kvcache.RatioBudget) policy).budget(promptLength)) : budget;
        }

        /** The options a row records: the entry's, with the budget or the ratio. */
        public Map<String, String> options() {
            if (ratio != null) return SweepConfig.ratioOptions(spec, ratio);
            return budget == null ? Map.of() : SweepConfig.options(spec, budget);
        }
    }

    private final SweepConfig config;
    private final ToIntFunction<String> longBenchCount;
    private final Map<String, String> modelIds = new HashMap<>();
    private List<Cell> cells;
    private List<Run> runs;

    /**
     * @param longBenchCount the number of samples in a LongBench dataset's file (read only when the
     *                       config has a {@code longbench} part)
     */
    public SweepPlan(SweepConfig config, ToIntFunction<String> longBenchCount) {
        this.config = config;
        this.longBenchCount = longBenchCount;
    }

    public SweepConfig config() {
        return config;
    }

    public List<Cell> cells() {
        if (cells != null) return cells;
        List<Cell> out = new ArrayList<>();
        for (String model : config.models()) {
            if (config.longbench() != null) {
                SweepConfig.LongBenchSpec lb = config.longbench();
                for (String dataset : lb.datasets()) {
                    int count = longBenchCount.applyAsInt(dataset);
                    if (lb.samplesPerDataset() != null) count = Math.min(count, lb.samplesPerDataset());
                    for (int s = 0; s < count; s++) out.add(Cell.of(model, dataset, lb.maxInputTokens(), null, s, config.seed()));
                }
            }
            for (String taskName : config.tasks() == null ? List.<String>of() : config.tasks()) {
                boolean needle = TaskSuite.byName(taskName).type() != dev.windowkv.engine.kvcache.TaskType.AGGREGATION;
                List<Integer> spans = config.valueSpans() != null && TaskSuite.byName(taskName).takesValueSpan()
                        ? config.valueSpans() : Collections.singletonList((Integer) null);
                for (int length : config.lengths()) {
                    List<Double> depths = needle ? config.depths() : Collections.singletonList((Double) null);
                    for (Double depth : depths) {
                        for (Integer span : spans) {
                            for (int s = 0; s < config.samples(); s++) {
                                out.add(Cell.of(model, taskName, length, depth, span, s, config.seed()));
                            }
                        }
                    }
                }
            }
        }
        cells = List.copyOf(out);
        return cells;
    }

    public List<Run> runs() {
        if (runs != null) return runs;
        List<Run> out = new ArrayList<>();
        for (PolicySpec p : config.policies()) {
            if (p.isFull()) {
                out.add(new Run(p, null, null, Policies.create("full", Map.of())));
            } else {
                for (int b : p.budgets()) out.add(new Run(p, b, null, Policies.create(p.policy(), SweepConfig.options(p, b))));
                for (double r : p.ratios()) out.add(new Run(p, null, r, Policies.create(p.policy(), SweepConfig.ratioOptions(p, r))));
            }
        }
        runs = List.copyOf(out);
        return runs;
    }

    /** The generation budget of a cell: the config's, else the task's or dataset's own. */
    public int maxNewTokens(String task) {
        if (config.maxNewTokens() != null) return config.maxNewTokens();
        if (LongBenchDataset.isKnown(task) && config.longbench() != null) return LongBenchDataset.named(task).maxNewTokens();
        return TaskSuite.byName(task).maxNewTokens();
    }

    /** The identity hash of one row: a cell under one run. */
    public String id(Cell cell, Run run) {
        return hash(identity(cell, run));
    }

    /** Every row identity this config asks for. */
    public Set<String> ids() {
        Set<String> ids = new LinkedHashSet<>();
        for (Cell c : cells()) for (Run r : runs()) ids.add(id(c, r));
        return ids;
    }

    /** The identity in words, one {@code key=value} a line (what {@link #id} hashes). */
    String identity(Cell cell, Run run) {
        StringBuilder s = new StringBuilder();
        line(s, "model", modelId(cell.model()));
        line(s, "task", cell.task());
        line(s, "length", cell.length());
        line(s, "depth", cell.depth());
        line(s, "valueSpan", cell.valueSpan());
        line(s, "sample", cell.sample());
        line(s, "seed", cell.seed());
        if (LongBenchDataset.isKnown(cell.task()) && config.longbench() != null) {
            line(s, "longbench.maxInputTokens", config.longbench().maxInputTokens());
        } else {
            line(s, "haystack", config.haystack() == null ? "prose" : config.haystack());
        }
        line(s, "label", run.spec().displayLabel());
        line(s, "policy", run.policy().describe()); // every option, defaults included
        line(s, "options", new java.util.TreeMap<>(run.options())); // as given: covers a plug-in that describes itself by name only
        line(s, "budget", run.budget());
        if (run.ratio() != null) line(s, "ratio", run.ratio());
        line(s, "maxNewTokens", maxNewTokens(cell.task()));
        line(s, "kvDtype", config.kvDtypeOf(run.spec()).id);
        line(s, "fullKvDtype", config.referenceKvDtype().id); // the % of FullKV a row reports is counted at it
        line(s, "backend", config.backend());
        String numerics = dev.windowkv.engine.backend.Backends.numerics(config.backend());
        if (numerics != null) line(s, "numerics", numerics);
        line(s, "classifier", config.classifier() == null ? "oracle" : config.classifier());
        return s.toString();
    }

    private static void line(StringBuilder s, String key, Object value) {
        s.append(key).append('=').append(value).append('\n');
    }

    private String modelId(String model) {
        return modelIds.computeIfAbsent(model, m -> ModelIdentity.of(SweepRunner.modelPath(m)));
    }

    static String hash(String identity) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(identity.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
