package dev.windowkv.engine.gguf;

import dev.windowkv.engine.UserError;

/** A GGUF file that cannot be read: truncated, corrupt, or using something this engine lacks. */
public class GGUFException extends UserError {
    public GGUFException(String message) {
        super(message);
    }
}
