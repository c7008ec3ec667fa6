package dev.windowkv.experiments.classifier;

import dev.windowkv.engine.kvcache.TaskType;

/** A training prompt for the task classifier, with the oracle label of the task it imitates. */
public record LabelledPrompt(String task, String prompt, TaskType label) {
}
