package dev.windowkv.engine.kvcache;

import dev.windowkv.engine.UserError;

/** A KV policy name that is not registered in {@link Policies}. */
public class UnknownPolicyError extends UserError {
    public UnknownPolicyError(String message) {
        super(message);
    }
}
