package dev.windowkv.engine.kvcache;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The registry: a policy by name with {@code key=value} options; omitted options take
 * {@link PolicyDefaults}. Names and options:
 * <ul>
 *   <li>{@code full}: none</li>
 *   <li>{@code streamingllm}: budget, sinkTokens</li>
 *   <li>{@code h2o}: budget, observationWindow, mask ({@code causal} | {@code window}, KVF's bug)</li>
 *   <li>{@code snapkv}: budget, observationWindow, poolingKernel</li>
 *   <li>{@code pyramidkv}: budget, observationWindow, poolingKernel, beta</li>
 *   <li>{@code windowkv}: budget, windowSize, suffix (sets both), suffixMax, suffixAverage,
 *       groupSize, beta, strategy ({@code auto} | {@code max} | {@code average})</li>
 * </ul>
 */
public final class Policies {
    private Policies() {}

    /** Registered names, in the order the paper's table lists them (SnapKV last). */
    public static final List<String> NAMES = List.of("full", "streamingllm", "h2o", "pyramidkv", "windowkv", "snapkv");

    /**
     * @throws UnknownPolicyError for an unregistered name
     * @throws PolicyOptionError for an unknown, malformed or out-of-range option
     */
    public static KvPolicy create(String name, Map<String, String> options) {
        String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        PolicyOptions o = new PolicyOptions(key, options);
        KvPolicy policy = switch (key) {
            case "full" -> new FullKvPolicy();
            case "streamingllm" -> new StreamingLlmPolicy(
                    o.integer("budget", PolicyDefaults.BUDGET, 1),
                    o.integer("sinkTokens", PolicyDefaults.SINK_TOKENS, 0));
            case "h2o" -> new H2oPolicy(
                    o.integer("budget", PolicyDefaults.BUDGET, 1),
                    o.integer("observationWindow", PolicyDefaults.OBSERVATION_WINDOW, 1),
                    o.choice("mask", "causal", List.of("causal", "window")).equals("window"));
            case "snapkv" -> new SnapKvPolicy(
                    o.integer("budget", PolicyDefaults.BUDGET, 1),
                    o.integer("observationWindow", PolicyDefaults.OBSERVATION_WINDOW, 1),
                    o.integer("poolingKernel", PolicyDefaults.POOLING_KERNEL, 1));
            case "pyramidkv" -> new PyramidKvPolicy(
                    o.integer("budget", PolicyDefaults.BUDGET, 1),
                    o.integer("observationWindow", PolicyDefaults.OBSERVATION_WINDOW, 1),
                    o.integer("poolingKernel", PolicyDefaults.POOLING_KERNEL, 1),
                    o.integer("beta", PolicyDefaults.PYRAMID_BETA, 1));
            case "windowkv" -> windowKv(o);
            default -> throw new UnknownPolicyError("unknown KV policy '" + name + "'; use one of " + String.join(", ", NAMES));
        };
        o.done();
        return policy;
    }

    private static WindowKvPolicy windowKv(PolicyOptions o) {
        int budget = o.integer("budget", PolicyDefaults.BUDGET, 1);
        int windowSize = o.integer("windowSize", PolicyDefaults.WINDOW_SIZE, 1);
        int suffix = o.integer("suffix", -1, 1);
        if (suffix > 0 && (o.has("suffixMax") || o.has("suffixAverage"))) {
            throw o.error("give either suffix or suffixMax/suffixAverage, not both");
        }
        int suffixMax = o.integer("suffixMax", suffix > 0 ? suffix : PolicyDefaults.SUFFIX_MAX, 1);
        int suffixAverage = o.integer("suffixAverage", suffix > 0 ? suffix : PolicyDefaults.SUFFIX_AVERAGE, 1);
        int groupSize = o.integer("groupSize", WindowKvPolicy.PROPORTIONAL_GROUP_SIZE, 1);
        int beta = o.integer("beta", PolicyDefaults.WINDOWKV_BETA, 1);
        WindowKvPolicy.Strategy strategy = switch (o.choice("strategy", "auto", List.of("auto", "max", "average"))) {
            case "max" -> WindowKvPolicy.Strategy.MAX;
            case "average" -> WindowKvPolicy.Strategy.AVERAGE;
            default -> null;
        };
        return new WindowKvPolicy(budget, windowSize, suffixMax, suffixAverage, groupSize, beta, strategy);
    }
}
