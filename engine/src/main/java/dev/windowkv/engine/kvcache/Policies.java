package dev.windowkv.engine.kvcache;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * The registry: a policy by name with {@code key=value} options; omitted options take
 * {@link PolicyDefaults}. Policies are {@link KvPolicyProvider} services found with
 * {@link ServiceLoader}, the built-ins included, so a plug-in jar on the classpath adds names.
 * Built-in names and options:
 * <ul>
 *   <li>{@code full}: none</li>
 *   <li>{@code streamingllm}: budget, sinkTokens</li>
 *   <li>{@code h2o}: budget, observationWindow, mask ({@code causal} | {@code window}, KVF's bug)</li>
 *   <li>{@code snapkv}: budget, observationWindow, poolingKernel</li>
 *   <li>{@code pyramidkv}: budget, observationWindow, poolingKernel, beta</li>
 *   <li>{@code windowkv}: budget, windowSize, suffix (sets both), suffixMax, suffixAverage,
 *       groupSize, beta, strategy ({@code auto} | {@code max} | {@code average})</li>
 *   <li>{@code adakv}: budget, observationWindow, poolingKernel, floorAlpha</li>
 *   <li>{@code chunkkv}: budget, observationWindow, chunkSize, reuseDepth</li>
 *   <li>{@code think}: pruneRatio, inner (a token policy) and the inner policy's options</li>
 * </ul>
 * Every policy that takes {@code budget} also takes {@code ratio} instead: the kept fraction of
 * the prompt, resolved per prompt ({@link RatioBudget}).
 */
public final class Policies {
    private Policies() {}

    /** The built-in names, in the order the paper's table lists them (SnapKV last), then the later methods. */
    public static final List<String> NAMES = List.of("full", "streamingllm", "h2o", "pyramidkv", "windowkv", "snapkv",
            "adakv", "chunkkv", "think");

    /** Every name available from the context class loader: the built-ins first, then plug-ins. */
    public static List<String> names() {
        return List.copyOf(providers(loader()).keySet());
    }

    /**
     * @throws UnknownPolicyError for an unregistered name
     * @throws PolicyOptionError for an unknown, malformed or out-of-range option
     */
    public static KvPolicy create(String name, Map<String, String> options) {
        return create(name, options, loader());
    }

    /** As {@link #create(String, Map)}, with the providers {@code loader} sees (a plug-in's class loader). */
    public static KvPolicy create(String name, Map<String, String> options, ClassLoader loader) {
        String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        Map<String, KvPolicyProvider> known = providers(loader);
        KvPolicyProvider provider = known.get(key);
        if (provider == null) {
            throw new UnknownPolicyError("unknown KV policy '" + name + "'; use one of " + String.join(", ", known.keySet())
                    + " (or put a plug-in jar that provides it on the classpath)");
        }
        Map<String, String> given = options == null ? Map.of() : options;
        if (given.containsKey("ratio")) {
            return RatioBudget.of(provider, key, given);
        }
        return create(provider, key, given);
    }

    /** One provider call: the policy, with leftover options rejected. */
    static KvPolicy create(KvPolicyProvider provider, String key, Map<String, String> options) {
        PolicyOptions o = new PolicyOptions(key, options);
        KvPolicy policy = provider.create(o);
        o.done();
        return policy;
    }

    private static ClassLoader loader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : Policies.class.getClassLoader();
    }

    /** Providers by name, the built-ins in {@link #NAMES} order; a name claimed twice is an error, not a silent pick. */
    private static Map<String, KvPolicyProvider> providers(ClassLoader loader) {
        List<KvPolicyProvider> found = new ArrayList<>();
        ServiceLoader.load(KvPolicyProvider.class, loader).forEach(found::add);
        if (found.stream().noneMatch(p -> p.name().equals("full"))) {
            // A class loader that cannot see the engine's own services file (a bare plug-in loader).
            ServiceLoader.load(KvPolicyProvider.class, Policies.class.getClassLoader()).forEach(found::add);
        }
        Map<String, KvPolicyProvider> byName = new LinkedHashMap<>();
        for (String builtIn : NAMES) {
            found.stream().filter(p -> p.name().equals(builtIn)).findFirst().ifPresent(p -> byName.put(builtIn, p));
        }
        for (KvPolicyProvider p : found) {
            String n = p.name().toLowerCase(Locale.ROOT);
            KvPolicyProvider earlier = byName.putIfAbsent(n, p);
            if (earlier != null && earlier.getClass() != p.getClass()) {
                throw new UnknownPolicyError("two providers claim KV policy '" + n + "': " + earlier.getClass().getName()
                        + " and " + p.getClass().getName() + "; rename the plug-in's policy or remove its jar");
            }
        }
        return byName;
    }
}
