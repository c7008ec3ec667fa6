package dev.windowkv.experiments.classifier;

import dev.windowkv.engine.kvcache.TaskType;

/**
 * WindowKV's task label (spec §1.2), chosen once per sample before generation: QA
 * (localization: max pooling, 32-token suffix) or aggregation (mean pooling, 16-token suffix).
 */
public interface TaskClassifier {
    /**
     * @param taskName the dataset or synthetic task the sample comes from (the oracle reads it)
     * @param prompt   the whole formatted prompt (a learned classifier reads it)
     */
    TaskType classify(String taskName, String prompt);
}
