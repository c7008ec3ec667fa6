package dev.windowkv.kernels;

import dev.windowkv.kernels.quant.Q4_0;
import dev.windowkv.kernels.quant.Q8_0;

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

    /**
     * Decode form over a Q8_0 cache: each slot of a head is {@code headDim / 32} blocks (see
     * {@code Q8_0}), dequantized here as they are read, so the cache stays at 34 bytes per 32
     * values. Each score is a Q8_0 dot product; each value block is added as {@code p · d · qs}.
     */
    public static void decodeQ8_0(float[] q, int qOff, byte[] kCache, byte[] vCache, int capacity, int length,
                                  int kvHead, int headDim, float[] out, int outOff, float scale) {
        int blocks = headDim / Q8_0.BLOCK_SIZE;
        int rowBytes = blocks * Q8_0.TYPE_SIZE;
        int base = kvHead * capacity * rowBytes;
        for (int d = 0; d < headDim; d++) out[outOff + d] = 0f;
        float max = Float.NEGATIVE_INFINITY;
        float sum = 0f;
        for (int j = 0; j < length; j++) {
            int row = base + j * rowBytes;
            float s = Q8_0.dot(kCache, row, q, qOff, headDim) * scale;
            if (s > max) {
                float r = KMath.exp(max - s);
                sum *= r;
                for (int d = 0; d < headDim; d++) out[outOff + d] *= r;
                max = s;
            }
            float p = KMath.exp(s - max);
            sum += p;
            for (int b = 0; b < blocks; b++) {
                int o = row + b * Q8_0.TYPE_SIZE;
                float pd = p * Half.f16ToF32(Bytes.u16(vCache, o));
                int y = outOff + b * Q8_0.BLOCK_SIZE;
                for (int i = 0; i < Q8_0.BLOCK_SIZE; i++) out[y + i] += pd * vCache[o + 2 + i];
            }
        }
        float inv = 1f / sum;
        for (int d = 0; d < headDim; d++) out[outOff + d] *= inv;
    }

    /**
     * Decode form over a Q4_0 cache, as {@link #decodeQ8_0} with 18-byte blocks. Nibbles are read
     * through {@code Bytes.u8}, not {@code Q4_0.dot}, so that TornadoVM compiles the unpacking right.
     */
    public static void decodeQ4_0(float[] q, int qOff, byte[] kCache, byte[] vCache, int capacity, int length,
                                  int kvHead, int headDim, float[] out, int outOff, float scale) {
        int blocks = headDim / Q4_0.BLOCK_SIZE;
        int rowBytes = blocks * Q4_0.TYPE_SIZE;
        int base = kvHead * capacity * rowBytes;
        for (int d = 0; d < headDim; d++) out[outOff + d] = 0f;
        float max = Float.NEGATIVE_INFINITY;
        float sum = 0f;
        for (int j = 0; j < length; j++) {
            int row = base + j * rowBytes;
            float s = 0f;
            for (int b = 0; b < blocks; b++) {
                int o = row + b * Q4_0.TYPE_SIZE;
                int x = qOff + b * Q4_0.BLOCK_SIZE;
                float sb = 0f;
                for (int i = 0; i < 16; i++) {
                    int n = Bytes.u8(kCache, o + 2 + i);
                    sb += ((n & 0xF) - 8) * q[x + i] + ((n >>> 4) - 8) * q[x + 16 + i];
                }
                s += Half.f16ToF32(Bytes.u16(kCache, o)) * sb;
            }
            s *= scale;
            if (s > max) {
                float r = KMath.exp(max - s);
                sum *= r;
                for (int d = 0; d < headDim; d++) out[outOff + d] *= r;
                max = s;
            }
            float p = KMath.exp(s - max);
            sum += p;
            for (int b = 0; b < blocks; b++) {
                int o = row + b * Q4_0.TYPE_SIZE;
                float pd = p * Half.f16ToF32(Bytes.u16(vCache, o));
                int y = outOff + b * Q4_0.BLOCK_SIZE;
                for (int i = 0; i < 16; i++) {
                    int n = Bytes.u8(vCache, o + 2 + i);
                    out[y + i] += pd * ((n & 0xF) - 8);
                    out[y + 16 + i] += pd * ((n >>> 4) - 8);
                }
            }
        }
        float inv = 1f / sum;
        for (int d = 0; d < headDim; d++) out[outOff + d] *= inv;
    }
}
