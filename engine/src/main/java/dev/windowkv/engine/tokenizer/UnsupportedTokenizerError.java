package dev.windowkv.engine.tokenizer;

import dev.windowkv.engine.UserError;

/** The model's GGUF asks for a tokenizer (or chat template) this engine does not implement. */
public class UnsupportedTokenizerError extends UserError {
    public UnsupportedTokenizerError(String message) {
        super(message);
    }
}
