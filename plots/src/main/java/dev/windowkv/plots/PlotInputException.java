package dev.windowkv.plots;

/**
 * A results file the plots cannot read: missing, empty or corrupt. The message is one line naming
 * the file (and line) and what to do; the CLI prints it without a stack trace. It mirrors the
 * engine's {@code UserError} without depending on the engine.
 */
public class PlotInputException extends RuntimeException {
    public PlotInputException(String message) {
        super(message);
    }

    public PlotInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
