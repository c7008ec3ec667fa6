package dev.windowkv.engine.kvcache;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads one policy's {@code key=value} options, each with its default; {@link #done} rejects
 * leftovers. A {@link KvPolicyProvider} (built-in or a plug-in) reads its options through this,
 * so every policy reports a wrong option the same way: one line naming the policy and the option.
 */
public final class PolicyOptions {
    private final String policy;
    private final Map<String, String> options;
    private final Set<String> read = new HashSet<>();

    PolicyOptions(String policy, Map<String, String> options) {
        this.policy = policy;
        this.options = options == null ? Map.of() : options;
    }

    /** The policy name the options are for (used in error messages). */
    public String policy() {
        return policy;
    }

    /** An integer option that must be at least {@code min}. */
    public int integer(String key, int defaultValue, int min) {
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

    /** A decimal option in {@code [min, max]}. */
    public double decimal(String key, double defaultValue, double min, double max) {
        read.add(key);
        String raw = options.get(key);
        if (raw == null) {
            return defaultValue;
        }
        double value;
        try {
            value = Double.parseDouble(raw.trim());
        } catch (NumberFormatException e) {
            throw new PolicyOptionError(policy + ": option " + key + "=" + raw + " is not a number");
        }
        if (!(value >= min && value <= max)) {
            throw new PolicyOptionError(policy + ": option " + key + "=" + raw + " must be in [" + min + ", " + max + "]");
        }
        return value;
    }

    /** A text option, as given (trimmed). */
    public String text(String key, String defaultValue) {
        read.add(key);
        String raw = options.get(key);
        return raw == null ? defaultValue : raw.trim();
    }

    /** The options not read so far, marked read: for a wrapper policy that hands them to its inner policy. */
    public Map<String, String> rest() {
        Map<String, String> rest = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, String> e : options.entrySet()) {
            if (read.add(e.getKey())) {
                rest.put(e.getKey(), e.getValue());
            }
        }
        return rest;
    }

    /** A word option, one of {@code allowed}, lower-cased. */
    public String choice(String key, String defaultValue, List<String> allowed) {
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

    public boolean has(String key) {
        return options.containsKey(key);
    }

    /** A one-line option error prefixed with the policy name. */
    public PolicyOptionError error(String message) {
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
