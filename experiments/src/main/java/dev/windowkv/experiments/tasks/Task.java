package dev.windowkv.experiments.tasks;

import dev.windowkv.engine.kvcache.TaskType;
import dev.windowkv.engine.tokenizer.Tokenizer;

import java.util.List;

/** A RULER-style synthetic task: makes samples at a target length and scores a model's answers to them. */
public interface Task {
    /** The registry name, such as {@code niah_multikey}. */
    String name();

    TaskType type();

    /** A generation budget long enough for a full answer. */
    int maxNewTokens();

    /** Makes the sample that {@code spec} describes; the same spec gives the same sample. */
    TaskSample generate(Tokenizer tokenizer, SampleSpec spec);

    /**
     * Whether the task hides needle values whose span {@link SampleSpec#valueSpan} sets (the niah
     * tasks); the others ignore it.
     */
    default boolean takesValueSpan() {
        return false;
    }

    /** The score in [0, 1] of a model's output against a sample's expected strings. */
    double score(String output, List<String> expected);
}
