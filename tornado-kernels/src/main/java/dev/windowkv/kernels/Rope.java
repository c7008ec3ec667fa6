package dev.windowkv.kernels;

/**
 * Rotary position embedding, one (token, head) vector per work item. {@code invFreq[i]} is the
 * angle per position of pair i, with any frequency scaling (Llama-3's) already folded in by the host.
 * Two layouts, as ggml names them: NORM rotates adjacent pairs (x[2i], x[2i+1]) — Llama GGUFs have
 * their Q/K rows permuted for it; NEOX rotates halves (x[i], x[i + d/2]) — Qwen2.
 */
public final class Rope {
    private Rope() {}

    public static void norm(float[] x, int off, int headDim, int pos, float[] invFreq) {
        for (int i = 0; i < headDim / 2; i++) {
            float theta = pos * invFreq[i];
            float c = KMath.cos(theta);
            float s = KMath.sin(theta);
            float a = x[off + 2 * i];
            float b = x[off + 2 * i + 1];
            x[off + 2 * i] = a * c - b * s;
            x[off + 2 * i + 1] = a * s + b * c;
        }
    }

    public static void neox(float[] x, int off, int headDim, int pos, float[] invFreq) {
        int half = headDim / 2;
        for (int i = 0; i < half; i++) {
            float theta = pos * invFreq[i];
            float c = KMath.cos(theta);
            float s = KMath.sin(theta);
            float a = x[off + i];
            float b = x[off + i + half];
            x[off + i] = a * c - b * s;
            x[off + i + half] = a * s + b * c;
        }
    }
}
