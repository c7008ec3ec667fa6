package dev.windowkv.experiments.cli;

import dev.windowkv.engine.UserError;

/** A {@code --prompt-file} that is missing, a folder, unreadable or not UTF-8 text. */
public class PromptFileError extends UserError {
    public PromptFileError(String message) {
        super(message);
    }
}
