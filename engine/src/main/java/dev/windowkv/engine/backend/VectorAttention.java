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
     * The keys of a prefill transposed per KV head and block of {@link #block()} keys, each block a
     * contiguous [headDim][block] tile: {@code kt[((kvh * blocks + blk) * headDim + d) * block + jj]}.
     * A query then scores a block's keys with lane-parallel FMAs (one broadcast query element per step)
     * instead of one horizontal reduction per key. Tiles, not one [headDim][tokens] matrix per head:
     * rows a power-of-two apart fell into the same cache sets, and the scores ran 10x slower.
     */
    static float[] transposeKeys(float[] k, int nTokens, int nKvHeads, int headDim) {
        return transposeKeys(k, nTokens, nKvHeads, headDim, new float[transposedSize(nTokens, nKvHeads, headDim)]);
    }

    /** Floats {@link #transposeKeys} writes. */
    static int transposedSize(int nTokens, int nKvHeads, int headDim) {
        return nKvHeads * padded(nTokens) * headDim;
    }

    /**
     * {@link #transposeKeys} into {@code kt} (at least {@link #transposedSize} long), so a prefill can
     * reuse one buffer for every layer instead of leaving a key-sized array of garbage per layer.
     */
    static float[] transposeKeys(float[] k, int nTokens, int nKvHeads, int headDim, float[] kt) {
        int b = block();
        int blocks = padded(nTokens) / b;
        if (blocks == 0) return kt;
        // The last block's padding keys are scored (then weighted 0): zeros, as in a fresh array.
        for (int kvh = 0; kvh < nKvHeads; kvh++) {
            int tile = (kvh * blocks + blocks - 1) * headDim * b;
            for (int d = 0; d < headDim; d++) {
                java.util.Arrays.fill(kt, tile + d * b + (nTokens - (blocks - 1) * b), tile + (d + 1) * b, 0f);
            }
        }
        for (int j = 0; j < nTokens; j++) {
            for (int kvh = 0; kvh < nKvHeads; kvh++) {
                int src = (j * nKvHeads + kvh) * headDim;
                int dst = (kvh * blocks + j / b) * headDim * b + j % b;
                for (int d = 0; d < headDim; d++) kt[dst + d * b] = k[src + d];
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

    /**
     * Queries of tokens t0 .. t0+3 (fewer at the end of the prompt) at head {@code h} of a causal
     * prefill, keys from {@link #transposeKeys}. Four queries share every key and value vector loaded,
     * four FMAs per load. Scores go half a block at a time: 8 accumulators, where 16 (a whole block for
     * four queries) ran at half the speed in C2. 34 GFLOP/s on one thread at 1,024 tokens, against 16
     * for one query at a time. Each query keeps its own online-softmax state; keys past a query's causal
     * limit get weight 0.
     */
    static void prefill(float[] q, float[] kt, float[] v, float[] out, int t0, int h, int nTokens, int nHeads,
                        int nKvHeads, int headDim, float scale) {
        prefill(q, kt, v, out, t0, 0, h, nTokens, nHeads, nKvHeads, headDim, scale);
    }

    /**
     * {@link #prefill} for a chunk of a prefill: {@code q} and {@code out} hold the chunk's
     * {@code nTokens} rows, the first at position {@code pos0}; {@code kt} and {@code v} hold the
     * keys and values of positions {@code 0 .. pos0 + nTokens - 1} ({@code kt} transposed for that count).
     */
    static void prefill(float[] q, float[] kt, float[] v, float[] out, int t0, int pos0, int h, int nTokens, int nHeads,
                        int nKvHeads, int headDim, float scale) {
        int nq = Math.min(QUERIES, nTokens - t0);
        int last = t0 + nq - 1;
        int kvh = h / (nHeads / nKvHeads);
        int kvStride = nKvHeads * headDim;
        int lanes = S.length();
        int b = block();
        int ktBase = kvh * (padded(pos0 + nTokens) / b) * headDim * b;
        // A missing fourth query repeats the last real one; its results are never stored.
        int qa = (t0 * nHeads + h) * headDim;
        int qb = (Math.min(t0 + 1, last) * nHeads + h) * headDim;
        int qc = (Math.min(t0 + 2, last) * nHeads + h) * headDim;
        int qd = (Math.min(t0 + 3, last) * nHeads + h) * headDim;
        int[] qOff = {qa, qb, qc, qd};
        for (int i = 0; i < nq; i++) java.util.Arrays.fill(out, qOff[i], qOff[i] + headDim, 0f);
        float[] p = new float[QUERIES * b];
        float[] max = {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY};
        float[] sum = new float[QUERIES];
        float[] r = new float[QUERIES];
        for (int j0 = 0; j0 <= pos0 + last; j0 += b) {
            int tile = ktBase + j0 / b * headDim * b;
            for (int half = 0; half < 4; half += 2) {
                FloatVector a0 = FloatVector.zero(S), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
                for (int d = 0; d < headDim; d++) {
                    int o = tile + d * b + half * lanes;
                    FloatVector k0 = FloatVector.fromArray(S, kt, o);
                    FloatVector k1 = FloatVector.fromArray(S, kt, o + lanes);
                    FloatVector x = FloatVector.broadcast(S, q[qa + d]);
                    a0 = k0.fma(x, a0); a1 = k1.fma(x, a1);
                    x = FloatVector.broadcast(S, q[qb + d]);
                    b0 = k0.fma(x, b0); b1 = k1.fma(x, b1);
                    x = FloatVector.broadcast(S, q[qc + d]);
                    c0 = k0.fma(x, c0); c1 = k1.fma(x, c1);
                    x = FloatVector.broadcast(S, q[qd + d]);
                    d0 = k0.fma(x, d0); d1 = k1.fma(x, d1);
                }
                int o = half * lanes;
                a0.mul(scale).intoArray(p, o); a1.mul(scale).intoArray(p, o + lanes);
                b0.mul(scale).intoArray(p, b + o); b1.mul(scale).intoArray(p, b + o + lanes);
                c0.mul(scale).intoArray(p, 2 * b + o); c1.mul(scale).intoArray(p, 2 * b + o + lanes);
                d0.mul(scale).intoArray(p, 3 * b + o); d1.mul(scale).intoArray(p, 3 * b + o + lanes);
            }
            int mAll = Math.min(b, pos0 + last + 1 - j0);
            for (int i = 0; i < QUERIES; i++) {
                int m = i < nq ? Math.min(b, pos0 + t0 + i + 1 - j0) : 0;
                r[i] = 1f;
                if (m > 0) {
                    float blockMax = Float.NEGATIVE_INFINITY;
                    for (int jj = 0; jj < m; jj++) blockMax = Math.max(blockMax, p[i * b + jj]);
                    if (blockMax > max[i]) {
                        if (sum[i] > 0f) {
                            r[i] = (float) Math.exp(max[i] - blockMax);
                            sum[i] *= r[i];
                        }
                        max[i] = blockMax;
                    }
                    sum[i] += exp(p, i * b, m, max[i]);
                }
                java.util.Arrays.fill(p, i * b + Math.max(m, 0), i * b + b, 0f);
            }
            accumulate4(out, qOff, nq, r, p, b, mAll, v, j0 * kvStride + kvh * headDim, kvStride, headDim);
        }
        int bound = S.loopBound(headDim);
        for (int i = 0; i < nq; i++) scaleInPlace(out, qOff[i], headDim, 1f / sum[i], bound);
    }

    /** Queries per prefill work item. */
    static final int QUERIES = 4;

    /**
     * For each of the four queries i: out_i = out_i · r[i] + Σ_{jj < m} p[i·stride + jj] · v_jj, one
     * vector of the head at a time with the four queries' sums in registers, so each value vector
     * loaded feeds four FMAs. Only the first {@code nq} queries are stored.
     */
    private static void accumulate4(float[] out, int[] qOff, int nq, float[] r, float[] p, int pStride, int m,
                                    float[] v, int vBase, int stride, int headDim) {
        int lanes = S.length();
        int bound = S.loopBound(headDim);
        int oa = qOff[0], ob = qOff[1], oc = qOff[2], od = qOff[3];
        int pa = 0, pb = pStride, pc = 2 * pStride, pd = 3 * pStride;
        int d = 0;
        for (; d < bound; d += lanes) {
            FloatVector xa = FloatVector.fromArray(S, out, oa + d).mul(r[0]);
            FloatVector xb = FloatVector.fromArray(S, out, ob + d).mul(r[1]);
            FloatVector xc = FloatVector.fromArray(S, out, oc + d).mul(r[2]);
            FloatVector xd = FloatVector.fromArray(S, out, od + d).mul(r[3]);
            for (int jj = 0; jj < m; jj++) {
                FloatVector vv = FloatVector.fromArray(S, v, vBase + jj * stride + d);
                xa = vv.fma(FloatVector.broadcast(S, p[pa + jj]), xa);
                xb = vv.fma(FloatVector.broadcast(S, p[pb + jj]), xb);
                xc = vv.fma(FloatVector.broadcast(S, p[pc + jj]), xc);
                xd = vv.fma(FloatVector.broadcast(S, p[pd + jj]), xd);
            }
            xa.intoArray(out, oa + d);
            if (nq > 1) xb.intoArray(out, ob + d);
            if (nq > 2) xc.intoArray(out, oc + d);
            if (nq > 3) xd.intoArray(out, od + d);
        }
        for (; d < headDim; d++) {
            for (int i = 0; i < nq; i++) {
                float o = out[qOff[i] + d] * r[i];
                for (int jj = 0; jj < m; jj++) o += p[i * pStride + jj] * v[vBase + jj * stride + d];
                out[qOff[i] + d] = o;
            }
        }
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
            sum += exp(p, 0, m, max);
            accumulate(out, outOff, r, p, m, v, base + j0 * stride, stride, headDim, bound);
        }
        scaleInPlace(out, outOff, headDim, 1f / sum, bound);
    }

    /** p[off + jj] = exp(p[off + jj] - max) for jj < m; returns their sum. */
    private static float exp(float[] p, int off, int m, float max) {
        int pb = S.loopBound(m);
        int jj = 0;
        FloatVector sums = FloatVector.zero(S);
        for (; jj < pb; jj += S.length()) {
            FloatVector e = FloatVector.fromArray(S, p, off + jj).sub(max).lanewise(VectorOperators.EXP);
            e.intoArray(p, off + jj);
            sums = sums.add(e);
        }
        float sum = sums.reduceLanes(VectorOperators.ADD);
        for (; jj < m; jj++) {
            p[off + jj] = (float) Math.exp(p[off + jj] - max);
            sum += p[off + jj];
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
        mass(q, 0, k, n, nHeads, nKvHeads, headDim, firstQuery, causalFrom, keyCount, scale, h, a);
    }

    /** {@link #mass} with {@code q} holding the queries from row {@code queryFrom} on. */
    static void mass(float[] q, int queryFrom, float[] k, int n, int nHeads, int nKvHeads, int headDim, int firstQuery,
                     int causalFrom, int keyCount, float scale, int h, float[] a) {
        int kvh = h / (nHeads / nKvHeads);
        int kvStride = nKvHeads * headDim;
        int bound = S.loopBound(headDim);
        float[] row = new float[n];
        for (int i = firstQuery; i < n; i++) {
            int keys = i >= causalFrom ? i + 1 : n;
            int qOff = ((i - queryFrom) * nHeads + h) * headDim;
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
