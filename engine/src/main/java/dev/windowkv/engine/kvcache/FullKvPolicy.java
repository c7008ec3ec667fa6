package dev.windowkv.engine.kvcache;

/** FullKV: no compression, every prompt token is cached (the quality and memory reference). */
public record FullKvPolicy() implements KvPolicy {
    @Override
    public String name() {
        return "full";
    }

    @Override
    public Compressor start(int nLayers, int nHeads, int nKvHeads, int headDim, int promptLength, TaskType taskHint) {
        return new Compressor() {
            @Override
            public int capacity(int layer) {
                return promptLength;
            }

            @Override
            public KeptTokens select(PrefillLayer layer) {
                return KeptTokens.all(layer.n());
            }

            @Override
            public DeviceSelection deviceSelection(int layer, int n) {
                return DeviceSelection.noScores();
            }

            @Override
            public KeptTokens selectFromDevice(int layer, int n, int nKvHeads, int[] result) {
                return KeptTokens.all(n);
            }

            @Override
            public int queries() {
                return 0;
            }

            @Override
            public boolean keepsEveryToken() {
                return true;
            }
        };
    }

    /** Registers {@code full} with {@link Policies} (see {@code META-INF/services}). */
    public static final class Provider implements KvPolicyProvider {
        @Override
        public String name() {
            return "full";
        }

        @Override
        public KvPolicy create(PolicyOptions o) {
            return new FullKvPolicy();
        }
    }
}
