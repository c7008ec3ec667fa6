package dev.windowkv.engine.kvcache;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code ratio=}: a policy's budget given as the <em>kept</em> fraction of the prompt instead of a
 * token count, resolved per prompt to {@code budget = max(1, round(ratio × promptLength))} and
 * handed to the policy as its {@code budget} option. kvpress's {@code compression_ratio} is the
 * fraction <em>removed</em>: kvpress 0.75 is {@code ratio=0.25} here. Every policy whose provider
 * reads {@code budget} takes it; giving both is an error.
 *
 * @param options the policy's other options (without {@code ratio})
 */
public record RatioBudget(KvPolicyProvider provider, String name, Map<String, String> options, double ratio)
        implements KvPolicy {
    /** A budget large enough that option checks against it only fail for the options themselves. */
    private static final int TRIAL_BUDGET = 1 << 20;

    public RatioBudget {
        options = Map.copyOf(options);
    }

    static RatioBudget of(KvPolicyProvider provider, String name, Map<String, String> given) {
        if (given.containsKey("budget")) {
            throw new PolicyOptionError(name + ": give budget or ratio, not both");
        }
        Map<String, String> rest = new LinkedHashMap<>(given);
        String raw = rest.remove("ratio");
        double ratio = new PolicyOptions(name, Map.of("ratio", raw)).decimal("ratio", 1, 0, 1);
        if (ratio == 0) {
            throw new PolicyOptionError(name + ": ratio=" + raw + " keeps nothing; give the kept fraction in (0, 1]");
        }
        Policies.create(provider, name, rest); // the other options fail now, not per prompt
        try {
            Policies.create(provider, name, withBudget(rest, TRIAL_BUDGET));
        } catch (PolicyOptionError e) {
            // Only the budget differs from the call above, so the policy has no budget.
            throw new PolicyOptionError(name + ": takes no budget, so ratio=" + raw + " does not apply");
        }
        return new RatioBudget(provider, name, rest, ratio);
    }

    /** The token budget for a prompt of {@code promptLength} tokens. */
    public int budget(int promptLength) {
        return (int) Math.max(1, Math.round(ratio * promptLength));
    }

    /** The policy with this prompt's budget. */
    public KvPolicy resolve(int promptLength) {
        int budget = budget(promptLength);
        try {
            return Policies.create(provider, name, withBudget(options, budget));
        } catch (PolicyOptionError e) {
            throw new PolicyOptionError("ratio=" + ratio + " of a " + promptLength + "-token prompt is budget " + budget
                    + ", and " + e.getMessage() + "; raise ratio");
        }
    }

    @Override
    public Compressor start(int nLayers, int nHeads, int nKvHeads, int headDim, int promptLength, TaskType taskHint) {
        return resolve(promptLength).start(nLayers, nHeads, nKvHeads, headDim, promptLength, taskHint);
    }

    private static Map<String, String> withBudget(Map<String, String> options, int budget) {
        Map<String, String> m = new LinkedHashMap<>(options);
        m.put("budget", Integer.toString(budget));
        return m;
    }

    @Override
    public String toString() {
        return name + "(ratio=" + ratio + (options.isEmpty() ? "" : ", " + options) + ")";
    }
}
