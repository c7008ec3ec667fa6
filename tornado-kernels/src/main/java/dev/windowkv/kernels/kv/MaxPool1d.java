package dev.windowkv.kernels.kv;

import dev.windowkv.kernels.KMath;

/**
 * SnapKV's 1-D max pooling of the scores along the keys: odd {@code kernel}, padding
 * {@code kernel / 2} (padded cells never win, as in PyTorch's {@code max_pool1d}), stride 1, so the
 * output has the input's length. It spreads a strong token's score to its neighbours, so they are
 * kept with it.
 */
public final class MaxPool1d {
    private MaxPool1d() {}

    /** Work item {@code item = row * len + j}. */
    public static void maxPool(int item, float[] in, float[] out, int len, int kernel) {
        int row = item / len;
        int j = item % len;
        int pad = kernel / 2;
        int from = KMath.max(0, j - pad);
        int to = KMath.min(len - 1, j + pad);
        float m = in[row * len + from];
        for (int t = from + 1; t <= to; t++) {
            m = KMath.max(m, in[row * len + t]);
        }
        out[item] = m;
    }
}
