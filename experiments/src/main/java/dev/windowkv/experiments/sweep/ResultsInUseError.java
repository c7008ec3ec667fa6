package dev.windowkv.experiments.sweep;

import dev.windowkv.engine.UserError;

/** A second sweep (or merge) tried to write a results file another process is writing. */
public final class ResultsInUseError extends UserError {
    public ResultsInUseError(String message) {
        super(message);
    }
}
