package dev.windowkv.kernels;

/** RMSNorm, one token per work item: out = x / sqrt(mean(x²) + eps) * weight. */
public final class RmsNorm {
    private RmsNorm() {}

    public static void token(float[] out, int outOff, float[] x, int xOff, float[] weight, int dim, float eps) {
        float ss = 0f;
        for (int i = 0; i < dim; i++) {
            float v = x[xOff + i];
            ss += v * v;
        }
        float scale = 1f / KMath.sqrt(ss / dim + eps);
        for (int i = 0; i < dim; i++) {
            out[outOff + i] = x[xOff + i] * scale * weight[i];
        }
    }
}
