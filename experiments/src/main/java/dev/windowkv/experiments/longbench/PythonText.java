package dev.windowkv.experiments.longbench;

import java.util.ArrayList;
import java.util.List;

/**
 * The few Python {@code str} operations LongBench's metrics rely on, with Python's semantics, so
 * that scores match {@code metrics.py} character for character.
 */
final class PythonText {
    private PythonText() {
    }

    /** Python's {@code str.isspace()} for one code point. */
    static boolean isSpace(int cp) {
        // Java's isWhitespace leaves out the no-break spaces and NEL, which Python counts.
        return Character.isWhitespace(cp) || Character.isSpaceChar(cp) || cp == 0x85;
    }

    /** Python's {@code s.split()}: split on runs of whitespace, no empty pieces. */
    static List<String> splitWhitespace(String s) {
        List<String> out = new ArrayList<>();
        int start = -1;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            if (isSpace(cp)) {
                if (start >= 0) {
                    out.add(s.substring(start, i));
                    start = -1;
                }
            } else if (start < 0) {
                start = i;
            }
            i += Character.charCount(cp);
        }
        if (start >= 0) {
            out.add(s.substring(start));
        }
        return out;
    }

    /** Python's {@code " ".join(s.split())}. */
    static String collapseWhitespace(String s) {
        return String.join(" ", splitWhitespace(s));
    }

    /** Python's {@code s.lstrip('\n').split('\n')[0]}: the first line after leading newlines. */
    static String firstLine(String s) {
        int start = 0;
        while (start < s.length() && s.charAt(start) == '\n') {
            start++;
        }
        int end = s.indexOf('\n', start);
        return end < 0 ? s.substring(start) : s.substring(start, end);
    }

    /** Python's {@code s.lstrip('\n').split('\n')}: every line, empty ones included. */
    static List<String> linesAfterLeadingNewlines(String s) {
        int start = 0;
        while (start < s.length() && s.charAt(start) == '\n') {
            start++;
        }
        return List.of(s.substring(start).split("\n", -1));
    }

    /** Python's {@code s.split(sep)} for a one-character separator: empty pieces kept. */
    static List<String> splitOn(String s, char sep) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == sep) {
                out.add(s.substring(start, i));
                start = i + 1;
            }
        }
        out.add(s.substring(start));
        return out;
    }
}
