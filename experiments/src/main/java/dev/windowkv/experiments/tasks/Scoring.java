package dev.windowkv.experiments.tasks;

import java.util.List;
import java.util.Locale;

/** RULER's scoring: a plain substring match, ignoring case. */
public final class Scoring {
    private Scoring() {
    }

    /**
     * RULER's {@code string_match_all}: the fraction of expected strings that occur in the output,
     * ignoring case. Order, extra text and repeats do not matter.
     */
    public static double fractionPresent(String output, List<String> expected) {
        if (expected.isEmpty()) {
            throw new IllegalArgumentException("nothing to score against");
        }
        String haystack = output.toLowerCase(Locale.ROOT);
        long found = expected.stream()
                .filter(e -> haystack.contains(e.toLowerCase(Locale.ROOT)))
                .count();
        return (double) found / expected.size();
    }
}
