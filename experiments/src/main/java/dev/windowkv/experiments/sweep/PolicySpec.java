package dev.windowkv.experiments.sweep;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.util.List;
import java.util.Map;

/**
 * One policy of a sweep, run at each of its budgets.
 *
 * @param policy  registry name: full, streamingllm, h2o, snapkv, pyramidkv, windowkv
 * @param label   legend label (defaults to the policy name); two variants of one policy need two labels
 * @param budgets tokens kept per layer (the policy's average budget); ignored for full
 * @param options any other policy option, as the policy names it (strategy, groupSize, beta, ...)
 * @param kvDtype KV-cache storage of this entry's rows (f32, f16, q8_0, q4_0), overriding the
 *                sweep's {@code kvDtype}, so that one sweep holds e.g. f16 and q4_0 rows; null: the sweep's
 * @param ratios  budgets as the kept fraction of each prompt ({@code ratio=}, in (0, 1]), run besides
 *                or instead of {@code budgets}; a row records the budget its prompt resolved to
 */
public record PolicySpec(String policy, String label, List<Integer> budgets, Map<String, String> options, String kvDtype,
                         List<Double> ratios) {
    public PolicySpec {
        budgets = budgets == null ? List.of() : List.copyOf(budgets);
        ratios = ratios == null ? List.of() : List.copyOf(ratios);
        options = options == null ? Map.of() : Map.copyOf(options);
    }

    @JsonIgnore
    public String displayLabel() {
        return label != null && !label.isBlank() ? label : policy;
    }

    @JsonIgnore
    public boolean isFull() {
        return "full".equals(policy);
    }
}
