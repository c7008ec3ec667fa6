package dev.windowkv.experiments.tasks;

import dev.windowkv.engine.UserError;

/** A task name that {@link TaskSuite} does not know; the message lists the names it does. */
public class UnknownTaskError extends UserError {
    public UnknownTaskError(String message) {
        super(message);
    }
}
