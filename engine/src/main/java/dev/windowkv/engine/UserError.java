package dev.windowkv.engine;

/**
 * A mistake the user can fix (a bad file, flag or config). The CLI prints its message as one line
 * and exits non-zero, without a stack trace; subclasses name the kind of mistake.
 */
public class UserError extends RuntimeException {
    public UserError(String message) {
        super(message);
    }

    public UserError(String message, Throwable cause) {
        super(message, cause);
    }
}
