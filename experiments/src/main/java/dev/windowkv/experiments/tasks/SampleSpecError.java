package dev.windowkv.experiments.tasks;

import dev.windowkv.engine.UserError;

/** A sample that cannot be made as asked: a depth outside [0, 1], a length too short for the task, an unknown haystack. */
public class SampleSpecError extends UserError {
    public SampleSpecError(String message) {
        super(message);
    }
}
