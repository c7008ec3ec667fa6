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

    /**
     * The keys of a prefill block transposed per KV head, {@code kt[(kvh * headDim + d) * padded + j]}, with
     * the token count padded to a whole score block: a query then scores {@link #block()} keys at once
     * with lane-parallel FMAs (one broadcast query element per step) instead of one horizontal
     * reduction per key. Built once per layer, read by every query.
     */
    static float[] transposeKeys(float[] k, int nTokens, int nKvHeads, int headDim) {
        int padded = padded(nTokens);
        float[] kt = new float[nKvHeads * headDim * padded];
        for (int j = 0; j < nTokens; j++) {
            for (int kvh = 0; kvh < nKvHeads; kvh++) {
                int src = (j * nKvHeads + kvh) * headDim;
                int dst = kvh * headDim * padded + j;
                for (int d = 0; d < headDim; d++) kt[dst + d * padded] = k[src + d];
            }
        }
        return kt;
    }

    static int padded(int nTokens) {
        return (nTokens + block() - 1) / block() * block();
    }

    /** Keys per score block: four vectors of scores. */
    static int block() {
        return 4 * S.length();
    }

    /** Query {@code t}, head {@code h} of a causal prefill, its keys from {@link #transposeKeys}. */
    static void prefill(float[] q, float[] kt, float[] v, float[] out, int t, int h, int nTokens, int nHeads,
                        int nKvHeads, int headDim, float scale) {
        int kvh = h / (nHeads / nKvHeads);
        int qOff = (t * nHeads + h) * headDim;
        int kvStride = nKvHeads * headDim;
        int padded = padded(nTokens);
        int ktBase = kvh * headDim * padded;
        int bound = S.loopBound(headDim);
        int count = t + 1;
        java.util.Arrays.fill(out, qOff, qOff + headDim, 0f);
        float[] p = new float[block()];
        float max = Float.NEGATIVE_INFINITY;
        float sum = 0f;
        int lanes = S.length();
        for (int j0 = 0; j0 < count; j0 += block()) {
            int m = Math.min(block(), count - j0);
            // Scores of keys j0 .. j0 + 4L (those past the causal limit are computed and ignored).
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
            for (int d = 0; d < headDim; d++) {
                FloatVector qd = FloatVector.broadcast(S, q[qOff + d]);
                int o = ktBase + d * padded + j0;
                s0 = FloatVector.fromArray(S, kt, o).fma(qd, s0);
                s1 = FloatVector.fromArray(S, kt, o + lanes).fma(qd, s1);
                s2 = FloatVector.fromArray(S, kt, o + 2 * lanes).fma(qd, s2);
                s3 = FloatVector.fromArray(S, kt, o + 3 * lanes).fma(qd, s3);
            }
            s0.mul(scale).intoArray(p, 0);
            s1.mul(scale).intoArray(p, lanes);
            s2.mul(scale).intoArray(p, 2 * lanes);
            s3.mul(scale).intoArray(p, 3 * lanes);
            float blockMax = Float.NEGATIVE_INFINITY;
            for (int jj = 0; jj < m; jj++) blockMax = Math.max(blockMax, p[jj]);
            float r = 1f;
            if (blockMax > max) {
                if (sum > 0f) {
                    r = (float) Math.exp(max - blockMax);
                    sum *= r;
                }
                max = blockMax;
            }
            sum += exp(p, m, max);
            accumulate(out, qOff, r, p, m, v, j0 * kvStride + kvh * headDim, kvStride, headDim, bound);
        }
        scaleInPlace(out, qOff, headDim, 1f / sum, bound);
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
            sum += exp(p, m, max);
            accumulate(out, outOff, r, p, m, v, base + j0 * stride, stride, headDim, bound);
        }
        scaleInPlace(out, outOff, headDim, 1f / sum, bound);
    }

    /** p[jj] = exp(p[jj] - max) for jj < m; returns their sum. */
    private static float exp(float[] p, int m, float max) {
        int pb = S.loopBound(m);
        int jj = 0;
        FloatVector sums = FloatVector.zero(S);
        for (; jj < pb; jj += S.length()) {
            FloatVector e = FloatVector.fromArray(S, p, jj).sub(max).lanewise(VectorOperators.EXP);
            e.intoArray(p, jj);
            sums = sums.add(e);
        }
        float sum = sums.reduceLanes(VectorOperators.ADD);
        for (; jj < m; jj++) {
            p[jj] = (float) Math.exp(p[jj] - max);
            sum += p[jj];
        }
        return sum;
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
