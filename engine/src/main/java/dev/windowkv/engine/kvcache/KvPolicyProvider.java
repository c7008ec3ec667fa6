package dev.windowkv.engine.kvcache;

/**
 * A KV policy by name, made from its {@code key=value} options: the service {@link Policies}
 * discovers with {@link java.util.ServiceLoader}. The built-in policies register themselves this
 * way ({@code META-INF/services/dev.windowkv.engine.kvcache.KvPolicyProvider}); a jar on the
 * classpath that lists its own provider in that file adds a policy that {@code generate} and
 * {@code sweep} use by name. Implementations need a public no-argument constructor.
 */
public interface KvPolicyProvider {
    /** The name users give ({@code --kv NAME}, a sweep's {@code "policy"}); lower case. */
    String name();

    /**
     * The policy for these options. Read every option through {@code options} with its default;
     * an option the provider does not read is rejected afterwards as unknown. A provider that
     * reads {@code budget} also gets {@code ratio=} for free (see {@link Policies#create}).
     *
     * @throws PolicyOptionError for a malformed or out-of-range option
     */
    KvPolicy create(PolicyOptions options);
}
