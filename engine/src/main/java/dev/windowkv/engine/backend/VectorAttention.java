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

    /** Keys/values j in [0, count) start at {@code base + j * stride}. */
    private static void online(float[] q, int qOff, float[] k, float[] v, int base, int stride, int count, int headDim,
                               float[] out, int outOff, float scale) {
        int bound = S.loopBound(headDim);
        java.util.Arrays.fill(out, outOff, outOff + headDim, 0f);
        float max = Float.NEGATIVE_INFINITY;
        float sum = 0f;
        for (int j = 0; j < count; j++) {
            int kOff = base + j * stride;
            FloatVector acc = FloatVector.zero(S);
            int d = 0;
            for (; d < bound; d += S.length()) {
                acc = FloatVector.fromArray(S, q, qOff + d).fma(FloatVector.fromArray(S, k, kOff + d), acc);
            }
            float s = acc.reduceLanes(VectorOperators.ADD);
            for (; d < headDim; d++) s += q[qOff + d] * k[kOff + d];
            s *= scale;
            if (s > max) {
                float r = (float) Math.exp(max - s);
                sum *= r;
                scaleInPlace(out, outOff, headDim, r, bound);
                max = s;
            }
            float p = (float) Math.exp(s - max);
            sum += p;
            FloatVector pv = FloatVector.broadcast(S, p);
            d = 0;
            for (; d < bound; d += S.length()) {
                FloatVector o = FloatVector.fromArray(S, out, outOff + d);
                FloatVector.fromArray(S, v, kOff + d).fma(pv, o).intoArray(out, outOff + d);
            }
            for (; d < headDim; d++) out[outOff + d] += p * v[kOff + d];
        }
        scaleInPlace(out, outOff, headDim, 1f / sum, bound);
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
                int kOff = j * kvStride + kvh * headDim;
                FloatVector acc = FloatVector.zero(S);
                int d = 0;
                for (; d < bound; d += S.length()) {
                    acc = FloatVector.fromArray(S, q, qOff + d).fma(FloatVector.fromArray(S, k, kOff + d), acc);
                }
                float s = acc.reduceLanes(VectorOperators.ADD);
                for (; d < headDim; d++) s += q[qOff + d] * k[kOff + d];
                s *= scale;
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
