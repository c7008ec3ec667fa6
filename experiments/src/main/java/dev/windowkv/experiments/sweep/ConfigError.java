package dev.windowkv.experiments.sweep;

import dev.windowkv.engine.UserError;

/** A sweep configuration that cannot run; the message names the key and the problem. */
public class ConfigError extends UserError {
    public ConfigError(String message) {
        super(message);
    }
}
