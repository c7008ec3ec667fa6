package dev.windowkv.kernels;

/**
 * Causal scaled-dot-product attention with GQA, one (query, head) per work item. Softmax is
 * computed online (running max and sum, as flash attention does) so a work item needs no scratch
 * buffer: the output row doubles as the accumulator.
 */
public final class Attention {
    private Attention() {}

    /**
     * Prefill form: query {@code t} of head {@code h} over keys 0..t of the same block.
     * Layouts: q, out {@code [n][nHeads][headDim]}; k, v {@code [n][nKvHeads][headDim]}.
     */
    public static void prefill(float[] q, float[] k, float[] v, float[] out, int t, int h,
                               int nHeads, int nKvHeads, int headDim, float scale) {
        int kvh = h / (nHeads / nKvHeads);
        int qOff = (t * nHeads + h) * headDim;
        attend(q, qOff, k, v, kvh * headDim, nKvHeads * headDim, t + 1, headDim, out, qOff, scale);
    }

    /**
     * Decode form over an F32 cache laid out {@code [kvHead][slot][headDim]} with {@code capacity}
     * slots per head, of which the first {@code length} are valid.
     */
    public static void decode(float[] q, int qOff, float[] kCache, float[] vCache, int capacity, int length,
                              int kvHead, int headDim, float[] out, int outOff, float scale) {
        attend(q, qOff, kCache, vCache, kvHead * capacity * headDim, headDim, length, headDim, out, outOff, scale);
    }

    /** One query over {@code count} keys/values, key j at {@code base + j * stride}. */
    static void attend(float[] q, int qOff, float[] k, float[] v, int base, int stride, int count, int headDim,
                       float[] out, int outOff, float scale) {
        for (int d = 0; d < headDim; d++) out[outOff + d] = 0f;
        float max = Float.NEGATIVE_INFINITY;
        float sum = 0f;
        for (int j = 0; j < count; j++) {
            int kOff = base + j * stride;
            float s = 0f;
            for (int d = 0; d < headDim; d++) s += q[qOff + d] * k[kOff + d];
            s *= scale;
            if (s > max) {
                float r = KMath.exp(max - s);
                sum *= r;
                for (int d = 0; d < headDim; d++) out[outOff + d] *= r;
                max = s;
            }
            float p = KMath.exp(s - max);
            sum += p;
            for (int d = 0; d < headDim; d++) out[outOff + d] += p * v[kOff + d];
        }
        float inv = 1f / sum;
        for (int d = 0; d < headDim; d++) out[outOff + d] *= inv;
    }

    /** Decode form over an F16 cache (binary16 bits, see {@code Half}); same layout as {@link #decode}. */
    public static void decodeF16(float[] q, int qOff, short[] kCache, short[] vCache, int capacity, int length,
                                 int kvHead, int headDim, float[] out, int outOff, float scale) {
        int base = kvHead * capacity * headDim;
        for (int d = 0; d < headDim; d++) out[outOff + d] = 0f;
        float max = Float.NEGATIVE_INFINITY;
        float sum = 0f;
        for (int j = 0; j < length; j++) {
            int kOff = base + j * headDim;
            float s = 0f;
            for (int d = 0; d < headDim; d++) s += q[qOff + d] * Half.f16ToF32(kCache[kOff + d]);
            s *= scale;
            if (s > max) {
                float r = KMath.exp(max - s);
                sum *= r;
                for (int d = 0; d < headDim; d++) out[outOff + d] *= r;
                max = s;
            }
            float p = KMath.exp(s - max);
            sum += p;
            for (int d = 0; d < headDim; d++) out[outOff + d] += p * Half.f16ToF32(vCache[kOff + d]);
        }
        float inv = 1f / sum;
        for (int d = 0; d < headDim; d++) out[outOff + d] *= inv;
    }
}
