package dev.windowkv.kernels;

/** Numerically stable softmax over x[off .. off+n), in place; one row per work item. */
public final class Softmax {
    private Softmax() {}

    public static void row(float[] x, int off, int n) {
        float max = x[off];
        for (int i = 1; i < n; i++) max = KMath.max(max, x[off + i]);
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            float e = KMath.exp(x[off + i] - max);
            x[off + i] = e;
            sum += e;
        }
        float inv = 1f / sum;
        for (int i = 0; i < n; i++) x[off + i] *= inv;
    }
}
