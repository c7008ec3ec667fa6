package dev.windowkv.experiments.sweep;

import dev.windowkv.engine.UserError;

/** A model a sweep config names is not there (so its rows' identities cannot be computed). */
public final class ModelNotFoundError extends UserError {
    public ModelNotFoundError(String message) {
        super(message);
    }
}
