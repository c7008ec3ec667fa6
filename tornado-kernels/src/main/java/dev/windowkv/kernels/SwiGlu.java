package dev.windowkv.kernels;

/** The Llama FFN gate: gate = silu(gate) * up, element-wise; one row per work item. */
public final class SwiGlu {
    private SwiGlu() {}

    public static void row(float[] gate, float[] up, int off, int n) {
        for (int i = 0; i < n; i++) {
            float g = gate[off + i];
            gate[off + i] = g / (1f + KMath.exp(-g)) * up[off + i];
        }
    }
}
