package dev.windowkv.experiments.sweep;

import dev.windowkv.engine.UserError;
import dev.windowkv.engine.kvcache.TaskType;
import dev.windowkv.engine.model.Model;
import dev.windowkv.engine.model.ModelConfig;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The checks a sweep makes against its models before it builds the first prompt, so that a sweep
 * that would fail an hour in fails at once, with nothing written: every model opens (a missing or
 * corrupt second model is found now, not after the first model's rows); every prompt length plus
 * its generation budget fits every model's context; every policy variant fits every model (e.g.
 * WindowKV's group size against the layer count); LongBench's data files are there.
 */
public final class SweepPreflight {
    private SweepPreflight() {}

    public static void check(SweepPlan plan) {
        SweepConfig c = plan.config();
        if (c.longbench() != null) {
            for (String d : c.longbench().datasets()) {
                Path file = Path.of(c.longbench().data()).resolve(d + ".jsonl");
                if (!Files.isRegularFile(file)) {
                    throw new ConfigError("LongBench file " + file + " not found; 'longbench.data' must be the folder of "
                            + "LongBench's data/<dataset>.jsonl files");
                }
            }
        }
        for (String name : c.models()) {
            Path path = SweepRunner.modelPath(name);
            if (!Files.exists(path)) {
                throw new ConfigError("model " + name + " not found (" + path.toAbsolutePath() + "); fix 'models'");
            }
            ModelConfig m;
            try (Model model = Model.load(path)) {
                m = model.config();
            } catch (UserError e) {
                throw new ConfigError("model " + name + ": " + e.getMessage());
            }
            checkLengths(plan, name, m);
            checkPolicies(plan, name, m);
        }
    }

    private static void checkLengths(SweepPlan plan, String name, ModelConfig m) {
        SweepConfig c = plan.config();
        if (c.tasks() != null) {
            for (String task : c.tasks()) {
                for (int length : c.lengths()) {
                    long need = (long) length + plan.maxNewTokens(task);
                    if (need > m.contextLength()) {
                        throw new ConfigError("'lengths' entry " + length + " plus " + plan.maxNewTokens(task) + " new tokens ("
                                + task + ") exceeds model " + name + "'s context of " + m.contextLength()
                                + " tokens; use lengths ≤ " + (m.contextLength() - plan.maxNewTokens(task)));
                    }
                }
            }
        }
        if (c.longbench() != null) {
            for (String d : c.longbench().datasets()) {
                int maxNew = plan.maxNewTokens(d);
                if ((long) c.longbench().maxInputTokens() + maxNew > m.contextLength()) {
                    throw new ConfigError("'longbench.maxInputTokens' " + c.longbench().maxInputTokens() + " plus " + maxNew
                            + " new tokens (" + d + ") exceeds model " + name + "'s context of " + m.contextLength()
                            + " tokens; lower it to ≤ " + (m.contextLength() - maxNew));
                }
            }
        }
    }

    private static void checkPolicies(SweepPlan plan, String name, ModelConfig m) {
        int shortest = Integer.MAX_VALUE;
        SweepConfig c = plan.config();
        if (c.lengths() != null && c.tasks() != null && !c.tasks().isEmpty()) {
            for (int l : c.lengths()) shortest = Math.min(shortest, l);
        }
        if (c.longbench() != null) shortest = Math.min(shortest, c.longbench().maxInputTokens());
        for (SweepPlan.Run r : plan.runs()) {
            for (TaskType hint : new TaskType[]{TaskType.QA, TaskType.AGGREGATION}) {
                try {
                    r.policy().start(m.nLayers(), m.nHeads(), m.nKvHeads(), m.headDim(), shortest, hint);
                } catch (UserError e) {
                    throw new ConfigError("policy '" + r.spec().displayLabel() + "' does not fit model " + name + " ("
                            + m.nLayers() + " layers): " + e.getMessage());
                }
            }
        }
    }
}
