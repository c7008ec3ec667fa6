package dev.windowkv.engine.backend;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector backend's F32 decode attention as it was when the cache was a {@code float[]} on the
 * heap (commit acff984's {@code VectorAttention.decode}, verbatim): what the off-heap cache's decode
 * must reproduce bit for bit ({@code OffHeapKvCacheTest}).
 */
final class VectorDecodeBefore {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private VectorDecodeBefore() {}

    static void decode(float[] q, int qOff, float[] kCache, float[] vCache, int capacity, int length,
                       int kvHead, int headDim, float[] out, int outOff, float scale) {
        online(q, qOff, kCache, vCache, kvHead * capacity * headDim, headDim, length, headDim, out, outOff, scale);
    }

    /** Keys per block: scores of a block are exponentiated together, and the output rescaled once. */
    private static final int BLOCK = 64;

    /**
     * Keys/values j in [0, count) start at {@code base + j * stride}. Online softmax by blocks of
     * keys: the running max moves at most once per block, and the block's exponentials are taken
     * in SIMD lanes.
     */
    private static void online(float[] q, int qOff, float[] k, float[] v, int base, int stride, int count, int headDim,
                               float[] out, int outOff, float scale) {
        int bound = S.loopBound(headDim);
        java.util.Arrays.fill(out, outOff, outOff + headDim, 0f);
        float[] p = new float[BLOCK];
        float max = Float.NEGATIVE_INFINITY;
        float sum = 0f;
        for (int j0 = 0; j0 < count; j0 += BLOCK) {
            int m = Math.min(BLOCK, count - j0);
            float blockMax = Float.NEGATIVE_INFINITY;
            for (int jj = 0; jj < m; jj++) {
                float s = dot(q, qOff, k, base + (j0 + jj) * stride, headDim, bound) * scale;
                p[jj] = s;
                blockMax = Math.max(blockMax, s);
            }
            float r = 1f;
            if (blockMax > max) {
                if (sum > 0f) {
                    r = (float) Math.exp(max - blockMax);
                    sum *= r;
                }
                max = blockMax;
            }
            sum += VectorAttention.exp(p, 0, m, max);
            accumulate(out, outOff, r, p, m, v, base + j0 * stride, stride, headDim, bound);
        }
        scaleInPlace(out, outOff, headDim, 1f / sum, bound);
    }

    /**
     * out = out · r + Σ_{jj < m} p[jj] · v[vBase + jj·stride ..]: the block's values, summed in registers
     * four vectors of the head at a time, so {@code out} is read and written once per block, not per key.
     */
    private static void accumulate(float[] out, int outOff, float r, float[] p, int m, float[] v, int vBase, int stride,
                                  int headDim, int bound) {
        int lanes = S.length();
        int d = 0;
        for (; d + 4 * lanes <= bound; d += 4 * lanes) {
            int o = outOff + d;
            FloatVector o0 = FloatVector.fromArray(S, out, o).mul(r);
            FloatVector o1 = FloatVector.fromArray(S, out, o + lanes).mul(r);
            FloatVector o2 = FloatVector.fromArray(S, out, o + 2 * lanes).mul(r);
            FloatVector o3 = FloatVector.fromArray(S, out, o + 3 * lanes).mul(r);
            for (int jj = 0; jj < m; jj++) {
                FloatVector pv = FloatVector.broadcast(S, p[jj]);
                int vo = vBase + jj * stride + d;
                o0 = FloatVector.fromArray(S, v, vo).fma(pv, o0);
                o1 = FloatVector.fromArray(S, v, vo + lanes).fma(pv, o1);
                o2 = FloatVector.fromArray(S, v, vo + 2 * lanes).fma(pv, o2);
                o3 = FloatVector.fromArray(S, v, vo + 3 * lanes).fma(pv, o3);
            }
            o0.intoArray(out, o);
            o1.intoArray(out, o + lanes);
            o2.intoArray(out, o + 2 * lanes);
            o3.intoArray(out, o + 3 * lanes);
        }
        for (; d < bound; d += lanes) {
            FloatVector o0 = FloatVector.fromArray(S, out, outOff + d).mul(r);
            for (int jj = 0; jj < m; jj++) {
                o0 = FloatVector.fromArray(S, v, vBase + jj * stride + d).fma(FloatVector.broadcast(S, p[jj]), o0);
            }
            o0.intoArray(out, outOff + d);
        }
        for (; d < headDim; d++) {
            float o = out[outOff + d] * r;
            for (int jj = 0; jj < m; jj++) o += p[jj] * v[vBase + jj * stride + d];
            out[outOff + d] = o;
        }
    }

    private static float dot(float[] a, int aOff, float[] b, int bOff, int n, int bound) {
        FloatVector acc = FloatVector.zero(S);
        int d = 0;
        for (; d < bound; d += S.length()) {
            acc = FloatVector.fromArray(S, a, aOff + d).fma(FloatVector.fromArray(S, b, bOff + d), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; d < n; d++) s += a[aOff + d] * b[bOff + d];
        return s;
    }

    private static void scaleInPlace(float[] x, int off, int n, float r, int bound) {
        int d = 0;
        for (; d < bound; d += S.length()) FloatVector.fromArray(S, x, off + d).mul(r).intoArray(x, off + d);
        for (; d < n; d++) x[off + d] *= r;
    }
}
