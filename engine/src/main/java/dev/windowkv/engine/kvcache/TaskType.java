package dev.windowkv.engine.kvcache;

/**
 * WindowKV's task label (spec §1.2): localization (QA) tasks use max pooling with a 32-token
 * suffix, aggregation tasks use average pooling with a 16-token suffix.
 */
public enum TaskType {
    QA,
    AGGREGATION
}
