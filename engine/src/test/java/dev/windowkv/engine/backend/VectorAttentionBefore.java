package dev.windowkv.engine.backend;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector backend's causal prefill attention as it was before 2026-12-02 (commit a3e3c2d), kept
 * only so that AttentionCpuTime measures old and new side by side: work items of four consecutive
 * queries of one head, scores half a key block at a time (8 accumulators), the values summed one
 * head vector at a time (4 accumulators), values read in place.
 */
public final class VectorAttentionBefore {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private VectorAttentionBefore() {}

    /** VectorBackend.attentionPrefill as it was, on {@code pool}'s threads; {@code keysT} as from {@link #buffer}. */
    public static void attentionPrefill(JavaBackend pool, float[] q, float[] k, float[] v, float[] out, int nTokens,
                                        int pos0, int nHeads, int nKvHeads, int headDim, float[] keysT) {
        float scale = (float) (1.0 / Math.sqrt(headDim));
        int keys = pos0 + nTokens;
        float[] kt = transposeKeys(k, keys, nKvHeads, headDim, keysT);
        int quads = (nTokens + QUERIES - 1) / QUERIES;
        pool.parallelFor(quads * nHeads, i -> {
            int t0 = (quads - 1 - i / nHeads) * QUERIES;
            prefill(q, kt, v, out, t0, pos0, i % nHeads, nTokens, nHeads, nKvHeads, headDim, scale);
        });
    }

    /** A transposed-key buffer for {@code keys} keys. */
    public static float[] buffer(int keys, int nKvHeads, int headDim) {
        return new float[transposedSize(keys, nKvHeads, headDim)];
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
     * {@link #prefill} for a chunk of a prefill: {@code q} and {@code out} hold the chunk's
     * {@code nTokens} rows, the first at position {@code pos0}; {@code kt} and {@code v} hold the
     * keys and values of positions {@code 0 .. pos0 + nTokens - 1} ({@code kt} transposed for that count).
     */
    private static void prefill(float[] q, float[] kt, float[] v, float[] out, int t0, int pos0, int h, int nTokens, int nHeads,
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

    /** The kernel's own, unchanged by the rebuild. */
    private static float exp(float[] p, int off, int m, float max) {
        return VectorAttention.exp(p, off, m, max);
    }

    private static void scaleInPlace(float[] x, int off, int n, float r, int bound) {
        int d = 0;
        for (; d < bound; d += S.length()) FloatVector.fromArray(S, x, off + d).mul(r).intoArray(x, off + d);
        for (; d < n; d++) x[off + d] *= r;
    }
}
