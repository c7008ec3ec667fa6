package dev.windowkv.experiments.classifier;

import dev.windowkv.engine.UserError;

/** A task name the oracle classifier has no label for. */
public final class UnknownTaskError extends UserError {
    public UnknownTaskError(String message) {
        super(message);
    }
}
