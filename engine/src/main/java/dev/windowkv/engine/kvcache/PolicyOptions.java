package dev.windowkv.engine.kvcache;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Reads one policy's {@code key=value} options, each with its default; {@link #done} rejects leftovers. */
final class PolicyOptions {
    private final String policy;
    private final Map<String, String> options;
    private final Set<String> read = new HashSet<>();

    PolicyOptions(String policy, Map<String, String> options) {
        this.policy = policy;
        this.options = options == null ? Map.of() : options;
    }

    /** An integer option that must be at least {@code min}. */
    int integer(String key, int defaultValue, int min) {
        read.add(key);
        String raw = options.get(key);
        if (raw == null) {
            return defaultValue;
        }
        int value;
        try {
            value = Integer.parseInt(raw.trim());
        } catch (NumberFormatException e) {
            throw new PolicyOptionError(policy + ": option " + key + "=" + raw + " is not an integer");
        }
        if (value < min) {
            throw new PolicyOptionError(policy + ": option " + key + "=" + value + " must be at least " + min);
        }
        return value;
    }

    /** A word option, one of {@code allowed}, lower-cased. */
    String choice(String key, String defaultValue, List<String> allowed) {
        read.add(key);
        String raw = options.get(key);
        if (raw == null) {
            return defaultValue;
        }
        String value = raw.trim().toLowerCase(Locale.ROOT);
        if (!allowed.contains(value)) {
            throw new PolicyOptionError(policy + ": option " + key + "=" + raw + " must be one of " + String.join(", ", allowed));
        }
        return value;
    }

    boolean has(String key) {
        return options.containsKey(key);
    }

    PolicyOptionError error(String message) {
        return new PolicyOptionError(policy + ": " + message);
    }

    /** Throws if an option was given that this policy does not read. */
    void done() {
        for (String key : options.keySet()) {
            if (!read.contains(key)) {
                throw new PolicyOptionError(policy + ": unknown option " + key + " (known: " + String.join(", ", read.stream().sorted().toList()) + ")");
            }
        }
    }
}
