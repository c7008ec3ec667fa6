package dev.windowkv.engine.kvcache;

/**
 * Every number the paper or a baseline fixes, in one place. Sources: WindowKV code
 * ({@code optim996/WindowKV} at 7513467) and KVCache-Factory (KVF, 7ee6be0), see
 * {@code docs/windowkv-method.md}. Each is the default of a settable option (named in brackets).
 */
public final class PolicyDefaults {
    private PolicyDefaults() {}

    /** [budget] Nominal KV budget per layer; WindowKV's script default {@code max_capacity_prompt}. */
    public static final int BUDGET = 2048;

    /** [sinkTokens] StreamingLLM's attention sinks: the first 4 tokens. */
    public static final int SINK_TOKENS = 4;

    /** [observationWindow] KVF's {@code window_size} for H2O, SnapKV and PyramidKV: the last 8 tokens, always kept, inside the budget. */
    public static final int OBSERVATION_WINDOW = 8;

    /** [poolingKernel] SnapKV/PyramidKV max-pool kernel (padding kernel/2, stride 1). */
    public static final int POOLING_KERNEL = 7;

    /** [beta] PyramidKV's β: the shallowest-to-deepest budget ratio knob of its linear schedule. */
    public static final int PYRAMID_BETA = 20;

    /** [windowSize] WindowKV's review window w (was 16 before commit 002a559). */
    public static final int WINDOW_SIZE = 8;

    /** [suffixMax] WindowKV's suffix (observation length) for QA tasks, max pooling. */
    public static final int SUFFIX_MAX = 32;

    /** [suffixAverage] WindowKV's suffix for aggregation tasks, average pooling. */
    public static final int SUFFIX_AVERAGE = 16;

    /**
     * [groupSize] WindowKV's {@code shared_layers} is 8 on Llama-3-8B's 32 layers: 4 groups. The
     * default group size keeps that proportion on any model, {@link #groupSize(int)}; a fixed 8
     * would make the shipped 8-layer model one group whose layers all copy layer 0.
     */
    public static final int GROUPS = 4;

    /** WindowKV's default group size for {@code nLayers} layers: {@code L / GROUPS}, at least 1 (8 on 32 layers, 2 on 8). */
    public static int groupSize(int nLayers) {
        return Math.max(1, nLayers / GROUPS);
    }

    /**
     * [beta] WindowKV's β: the deepest group gets {@code budget * groupSize / beta}. The paper sets
     * 14 with groups of 8 (Llama-3-8B), so the deepest group keeps 8/14 of the budget and the first
     * 20/14. With a smaller group size a fixed 14 would bend that profile (groups of 2 on an 8-layer
     * model: the deepest group would keep 1/7 of the budget), so the default β scales with the group
     * size, {@link #beta(int)}: 14 at groupSize 8, the paper's shape at any group size.
     */
    public static final double WINDOWKV_BETA = 14;

    /** The group size at which the paper sets β = 14. */
    public static final int WINDOWKV_BETA_GROUP_SIZE = 8;

    /** The default β for a group size: {@code 14 · groupSize / 8}. */
    public static double beta(int groupSize) {
        return WINDOWKV_BETA * groupSize / WINDOWKV_BETA_GROUP_SIZE;
    }

    /** [floorAlpha] Ada-KV's safeguard: every head keeps at least this fraction of the per-head review budget (KVF's {@code floor_alpha}). */
    public static final double ADAKV_FLOOR_ALPHA = 0.2;

    /** [chunkSize] ChunkKV's chunk length in tokens (the paper's default, 10). */
    public static final int CHUNK_SIZE = 10;

    /** [reuseDepth] ChunkKV's layer-wise index reuse: consecutive layers sharing one chunk selection; 1 = no reuse. */
    public static final int CHUNK_REUSE_DEPTH = 1;

    /** [pruneRatio] ThinK's λ: the fraction of key channels pruned per KV head (the paper's main setting, 0.4). */
    public static final double THINK_PRUNE_RATIO = 0.4;
}
