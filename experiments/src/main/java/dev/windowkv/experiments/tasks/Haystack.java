package dev.windowkv.experiments.tasks;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The filler a needle hides in. {@link #PROSE} is the plain-English text shipped with the project
 * (RULER's "essay" haystack), {@link #NOISE} is seeded sentences of ordinary words (RULER's "noise").
 * Neither contains digits or the needle phrasing.
 */
public enum Haystack {
    PROSE,
    NOISE;

    /** The name used on the command line and in result files: {@code prose} or {@code noise}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Haystack byName(String name) {
        for (Haystack h : values()) {
            if (h.label().equalsIgnoreCase(name)) {
                return h;
            }
        }
        throw new SampleSpecError("unknown haystack '" + name + "'; use one of: "
                + Arrays.stream(values()).map(Haystack::label).collect(Collectors.joining(", ")));
    }
}
