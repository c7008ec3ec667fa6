package dev.windowkv.engine.backend;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The attention kernels of {@code tornado-kernels}'s {@code Attention}, with the two inner loops
 * over the head dimension (q·k and the value accumulation) in SIMD lanes. Same online softmax, same
 * order over keys; only the summation order inside a dot product differs from the reference.
 */
final class VectorAttention {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private VectorAttention() {}

    static void prefill(float[] q, float[] k, float[] v, float[] out, int t, int h,
                        int nHeads, int nKvHeads, int headDim, float scale) {
        int kvh = h / (nHeads / nKvHeads);
        int qOff = (t * nHeads + h) * headDim;
        int kvStride = nKvHeads * headDim;
        int kvOff = kvh * headDim;
        online(q, qOff, k, v, kvOff, kvStride, t + 1, headDim, out, qOff, scale);
    }

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
        float[] p = BLOCK_SCRATCH.get();
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
            if (blockMax > max) {
                if (sum > 0f) {
                    float r = (float) Math.exp(max - blockMax);
                    sum *= r;
                    scaleInPlace(out, outOff, headDim, r, bound);
                }
                max = blockMax;
            }
            int pb = S.loopBound(m);
            int jj = 0;
            FloatVector sums = FloatVector.zero(S);
            for (; jj < pb; jj += S.length()) {
                FloatVector e = FloatVector.fromArray(S, p, jj).sub(max).lanewise(VectorOperators.EXP);
                e.intoArray(p, jj);
                sums = sums.add(e);
            }
            sum += sums.reduceLanes(VectorOperators.ADD);
            for (; jj < m; jj++) {
                p[jj] = (float) Math.exp(p[jj] - max);
                sum += p[jj];
            }
            for (jj = 0; jj < m; jj++) {
                int vOff = base + (j0 + jj) * stride;
                FloatVector pv = FloatVector.broadcast(S, p[jj]);
                int d = 0;
                for (; d < bound; d += S.length()) {
                    FloatVector o = FloatVector.fromArray(S, out, outOff + d);
                    FloatVector.fromArray(S, v, vOff + d).fma(pv, o).intoArray(out, outOff + d);
                }
                for (; d < headDim; d++) out[outOff + d] += p[jj] * v[vOff + d];
            }
        }
        scaleInPlace(out, outOff, headDim, 1f / sum, bound);
    }

    private static final ThreadLocal<float[]> BLOCK_SCRATCH = ThreadLocal.withInitial(() -> new float[BLOCK]);

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

    /** Attention mass of query head {@code h}, see {@code Backend.attentionMass}. */
    static void mass(float[] q, float[] k, int n, int nHeads, int nKvHeads, int headDim, int firstQuery, int causalFrom,
                     int keyCount, float scale, int h, float[] a) {
        int kvh = h / (nHeads / nKvHeads);
        int kvStride = nKvHeads * headDim;
        int bound = S.loopBound(headDim);
        float[] row = new float[n];
        for (int i = firstQuery; i < n; i++) {
            int keys = i >= causalFrom ? i + 1 : n;
            int qOff = (i * nHeads + h) * headDim;
            float max = -Float.MAX_VALUE;
            for (int j = 0; j < keys; j++) {
                float s = dot(q, qOff, k, j * kvStride + kvh * headDim, headDim, bound) * scale;
                row[j] = s;
                max = Math.max(max, s);
            }
            float sum = 0f;
            for (int j = 0; j < keys; j++) {
                float e = (float) Math.exp(row[j] - max);
                row[j] = e;
                sum += e;
            }
            float inv = 1f / sum;
            int upto = Math.min(keys, keyCount);
            int base = h * keyCount;
            for (int j = 0; j < upto; j++) a[base + j] += row[j] * inv;
        }
    }
}
