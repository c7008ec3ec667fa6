package dev.windowkv.engine.kvcache;

import dev.windowkv.engine.UserError;

/** A KV policy option that is unknown, malformed or out of range. */
public class PolicyOptionError extends UserError {
    public PolicyOptionError(String message) {
        super(message);
    }
}
