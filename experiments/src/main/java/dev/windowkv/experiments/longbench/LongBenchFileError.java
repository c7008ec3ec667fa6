package dev.windowkv.experiments.longbench;

import dev.windowkv.engine.UserError;

/** A LongBench data file that is missing, empty or not LongBench's JSONL. */
public final class LongBenchFileError extends UserError {
    public LongBenchFileError(String message) {
        super(message);
    }
}
