package dev.windowkv.engine.gguf;

import dev.windowkv.engine.UserError;

/**
 * A GGUF file that cannot be read: truncated, corrupt, or using something this engine lacks. The
 * message quotes names read from the file, which a corrupt file can fill with control characters,
 * so they are escaped to keep it on one line.
 */
public class GGUFException extends UserError {
    public GGUFException(String message) {
        super(printable(message));
    }

    /** {@code s} with control characters (newlines included) written as {@code \\uXXXX}. */
    public static String printable(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029' || c == '\u0085') {
                if (b == null) b = new StringBuilder(s.length() + 16).append(s, 0, i);
                b.append(String.format("\\u%04x", (int) c));
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? s : b.toString();
    }
}
