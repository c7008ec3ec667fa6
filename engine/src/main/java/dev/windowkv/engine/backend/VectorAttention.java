package dev.windowkv.engine.backend;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The attention kernels of {@code tornado-kernels}'s {@code Attention}, with the two inner loops
 * over the head dimension (q·k and the value accumulation) in SIMD lanes. Same online softmax, same
 * order over keys; only the summation order inside a dot product differs from the reference.
 */
final class VectorAttention {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private VectorAttention() {}

    /** Floats {@link #transposeKeys} writes for all KV heads. */
    static int transposedSize(int nTokens, int nKvHeads, int headDim) {
        return nKvHeads * padded(nTokens) * headDim;
    }

    /**
     * The keys of a prefill transposed per KV head and block of {@link #block()} keys, each block a
     * contiguous [headDim][block] tile: {@code kt[((kvh * blocks + blk) * headDim + d) * block + jj]}.
     * A query then scores a block's keys with lane-parallel FMAs (one broadcast query element per step)
     * instead of one horizontal reduction per key. Tiles, not one [headDim][tokens] matrix per head:
     * rows a power-of-two apart fell into the same cache sets, and the scores ran 10x slower. This
     * writes KV head {@code kvh} only, so that the heads can go to different threads, into {@code kt}
     * of at least {@link #transposedSize} floats, one buffer reused for every layer.
     */
    static void transposeKeys(float[] k, int nTokens, int nKvHeads, int headDim, float[] kt, int kvh) {
        int b = block();
        int blocks = padded(nTokens) / b;
        if (blocks == 0) return;
        zeroPadding(kt, kvh, blocks, nTokens, headDim);
        for (int j = 0; j < nTokens; j++) {
            int src = (j * nKvHeads + kvh) * headDim;
            int dst = (kvh * blocks + j / b) * headDim * b + j % b;
            for (int d = 0; d < headDim; d++) kt[dst + d * b] = k[src + d];
        }
    }

    /**
     * {@link #transposeKeys} from an F32 cache layer ({@code [kvHead][capacity][headDim]}, off the heap),
     * keys {@code 0 .. nTokens-1}: the same tiles.
     */
    static void transposeKeys(MemorySegment k, int capacity, int nTokens, int headDim, float[] kt, int kvh) {
        int b = block();
        int blocks = padded(nTokens) / b;
        if (blocks == 0) return;
        zeroPadding(kt, kvh, blocks, nTokens, headDim);
        long base = (long) kvh * capacity * headDim;
        for (int j = 0; j < nTokens; j++) {
            long src = base + (long) j * headDim;
            int dst = (kvh * blocks + j / b) * headDim * b + j % b;
            for (int d = 0; d < headDim; d++) kt[dst + d * b] = k.getAtIndex(ValueLayout.JAVA_FLOAT, src + d);
        }
    }

    /** The last block's padding keys are scored (then masked): zeros, as in a fresh array. */
    private static void zeroPadding(float[] kt, int kvh, int blocks, int nTokens, int headDim) {
        int b = block();
        int last = (kvh * blocks + blocks - 1) * headDim * b;
        for (int d = 0; d < headDim; d++) {
            java.util.Arrays.fill(kt, last + d * b + (nTokens - (blocks - 1) * b), last + (d + 1) * b, 0f);
        }
    }

    /**
     * {@link #transposeValues} from an F32 cache layer: a KV head's values there are already its keys'
     * rows one after another, so it is one copy.
     */
    static void transposeValues(MemorySegment v, int capacity, int nTokens, int headDim, float[] vt, int kvh) {
        MemorySegment.copy(v, ValueLayout.JAVA_FLOAT, (long) kvh * capacity * headDim * Float.BYTES, vt, kvh * nTokens * headDim,
                nTokens * headDim);
    }

    static int padded(int nTokens) {
        return (nTokens + block() - 1) / block() * block();
    }

    /** Keys per score block: four vectors of scores. */
    static int block() {
        return 4 * S.length();
    }

    /** Floats {@link #transposeValues} writes. */
    static int valuesSize(int nTokens, int nKvHeads, int headDim) {
        return nKvHeads * nTokens * headDim;
    }

    /**
     * The values of KV head {@code kvh} with the keys contiguous: {@code vt[(kvh * nTokens + j) * headDim + d]},
     * so a key block's values are one contiguous tile. Read in place, a block's value rows lie
     * {@code nKvHeads · headDim} floats apart (2 KiB on Llama-3.2-1B), which puts them in 8 of L1's 64
     * sets: the tile would not stay in L1 for the work item's four row tiles that reuse it.
     */
    static void transposeValues(float[] v, int nTokens, int nKvHeads, int headDim, float[] vt, int kvh) {
        for (int j = 0; j < nTokens; j++) {
            System.arraycopy(v, (j * nKvHeads + kvh) * headDim, vt, (kvh * nTokens + j) * headDim, headDim);
        }
    }

    /** Rows (query heads × tokens) of one register tile: every key and value vector loaded feeds four FMAs. */
    static final int ROWS = 4;

    /**
     * Rows of one work item: its key and value tiles (16 KiB each at head dimension 64) come from L2 or
     * L3 once per key block and serve its {@code ITEM_ROWS / ROWS} row tiles from L1. With 4 rows (the
     * kernel before), every work item streamed its head's keys and values (4 MiB at 8,192 tokens on
     * Llama-3.2-1B) for 2 FLOPs per byte, and 8,192 keys ran at 60% of the speed of 2,048. 32 rows (with
     * VectorBackend's head-by-head order) run both at the same speed; 64 are slower again (their
     * sums, 16 KiB, join the two 16 KiB tiles in L1). Figures: PERFORMANCE.md, "Prefill attention".
     */
    private static final int ITEM_ROWS = 32;

    /** Tokens per work item when {@code group} query heads share a KV head. */
    static int tokensPerItem(int group) {
        return Math.max(1, ITEM_ROWS / group);
    }

    /**
     * The causal prefill attention of the query heads of KV head {@code kvh} (its GQA group) for tokens
     * {@code t0 .. t0 + tokensPerItem - 1} (fewer at the end), so the group shares every key and value
     * loaded. {@code q} and {@code out} hold the chunk's {@code nTokens} rows, the first at position
     * {@code pos0}; {@code kt} ({@link #transposeKeys}) and {@code vt} ({@link #transposeValues}) hold
     * positions {@code 0 .. pos0 + nTokens - 1}.
     *
     * <p>The rows (token-major, heads within a token) go in register tiles of {@link #ROWS}: a tile's
     * scores for a key block are 4 rows × 4 key vectors in 16 accumulators, its weighted values 4 rows ×
     * 4 head vectors in 16, so each part loads 8 vectors per 16 FMAs and has 16 independent FMA chains,
     * enough to cover the FMA latency on two pipes. Same online softmax per row as the reference, one
     * max update per key block; keys past a row's position score -inf and weigh 0.
     */
    static void prefill(float[] q, float[] kt, float[] vt, float[] out, int t0, int pos0, int kvh, int nTokens,
                        int nHeads, int nKvHeads, int headDim, float scale) {
        int group = nHeads / nKvHeads;
        int rows = Math.min(tokensPerItem(group), nTokens - t0) * group;
        int tiled = (rows + ROWS - 1) / ROWS * ROWS;
        int b = block();
        int keys = pos0 + nTokens;
        int ktBase = kvh * (padded(keys) / b) * headDim * b;
        int vtBase = kvh * keys * headDim;
        // Row r: token t0 + r / group, head kvh·group + r % group. Rows past the last repeat it; their
        // results are never stored.
        int[] qOff = new int[tiled];
        int[] seen = new int[tiled];
        for (int r = 0; r < tiled; r++) {
            int real = Math.min(r, rows - 1);
            int t = t0 + real / group;
            qOff[r] = (t * nHeads + kvh * group + real % group) * headDim;
            seen[r] = pos0 + t + 1;
        }
        float[] acc = new float[tiled * headDim];
        float[] max = new float[tiled];
        java.util.Arrays.fill(max, Float.NEGATIVE_INFINITY);
        float[] sum = new float[tiled];
        float[] p = new float[ROWS * b];
        float[] r = new float[ROWS];
        int end = seen[tiled - 1];
        for (int j0 = 0; j0 < end; j0 += b) {
            int kTile = ktBase + j0 / b * headDim * b;
            int vTile = vtBase + j0 * headDim;
            for (int r0 = 0; r0 < tiled; r0 += ROWS) {
                // Rows go by token, so a tile's last row sees the most keys.
                int m = Math.min(b, seen[r0 + ROWS - 1] - j0);
                if (m <= 0) continue;
                scores(q, qOff[r0], qOff[r0 + 1], qOff[r0 + 2], qOff[r0 + 3], kt, kTile, headDim, scale, p);
                for (int i = 0; i < ROWS; i++) r[i] = softmax(p, i * b, seen[r0 + i] - j0, max, sum, r0 + i);
                values(acc, r0 * headDim, r, p, m, vt, vTile, headDim);
            }
        }
        int bound = S.loopBound(headDim);
        for (int row = 0; row < rows; row++) {
            float inv = 1f / sum[row];
            int a = row * headDim, o = qOff[row];
            int d = 0;
            for (; d < bound; d += S.length()) FloatVector.fromArray(S, acc, a + d).mul(inv).intoArray(out, o + d);
            for (; d < headDim; d++) out[o + d] = acc[a + d] * inv;
        }
    }

    /**
     * p[i·block + jj] = scale · q_i · k_jj for the four rows i (queries at qa..qd) and the block's keys
     * (tile of {@link #transposeKeys}): per head element, 4 key vectors and 4 broadcast query elements
     * feed 16 FMAs; 8–15% faster than two halves of 8 accumulators (the kernel before).
     */
    private static void scores(float[] q, int qa, int qb, int qc, int qd, float[] kt, int tile, int headDim,
                               float scale, float[] p) {
        int lanes = S.length();
        int b = 4 * lanes;
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        FloatVector c0 = a0, c1 = a0, c2 = a0, c3 = a0, d0 = a0, d1 = a0, d2 = a0, d3 = a0;
        for (int d = 0; d < headDim; d++) {
            int o = tile + d * b;
            FloatVector k0 = FloatVector.fromArray(S, kt, o);
            FloatVector k1 = FloatVector.fromArray(S, kt, o + lanes);
            FloatVector k2 = FloatVector.fromArray(S, kt, o + 2 * lanes);
            FloatVector k3 = FloatVector.fromArray(S, kt, o + 3 * lanes);
            FloatVector x = FloatVector.broadcast(S, q[qa + d]);
            a0 = k0.fma(x, a0); a1 = k1.fma(x, a1); a2 = k2.fma(x, a2); a3 = k3.fma(x, a3);
            x = FloatVector.broadcast(S, q[qb + d]);
            b0 = k0.fma(x, b0); b1 = k1.fma(x, b1); b2 = k2.fma(x, b2); b3 = k3.fma(x, b3);
            x = FloatVector.broadcast(S, q[qc + d]);
            c0 = k0.fma(x, c0); c1 = k1.fma(x, c1); c2 = k2.fma(x, c2); c3 = k3.fma(x, c3);
            x = FloatVector.broadcast(S, q[qd + d]);
            d0 = k0.fma(x, d0); d1 = k1.fma(x, d1); d2 = k2.fma(x, d2); d3 = k3.fma(x, d3);
        }
        a0.mul(scale).intoArray(p, 0); a1.mul(scale).intoArray(p, lanes);
        a2.mul(scale).intoArray(p, 2 * lanes); a3.mul(scale).intoArray(p, 3 * lanes);
        b0.mul(scale).intoArray(p, b); b1.mul(scale).intoArray(p, b + lanes);
        b2.mul(scale).intoArray(p, b + 2 * lanes); b3.mul(scale).intoArray(p, b + 3 * lanes);
        c0.mul(scale).intoArray(p, 2 * b); c1.mul(scale).intoArray(p, 2 * b + lanes);
        c2.mul(scale).intoArray(p, 2 * b + 2 * lanes); c3.mul(scale).intoArray(p, 2 * b + 3 * lanes);
        d0.mul(scale).intoArray(p, 3 * b); d1.mul(scale).intoArray(p, 3 * b + lanes);
        d2.mul(scale).intoArray(p, 3 * b + 2 * lanes); d3.mul(scale).intoArray(p, 3 * b + 3 * lanes);
    }

    /**
     * One row's online-softmax step over a block of scores at {@code p[off ..]}, of which the first
     * {@code visible} are causal (none when ≤ 0): the row's max and sum move, the scores become their
     * weights (0 past {@code visible}); returns the factor that rescales the row's earlier sums.
     */
    private static float softmax(float[] p, int off, int visible, float[] max, float[] sum, int row) {
        int lanes = S.length();
        FloatVector s0 = FloatVector.fromArray(S, p, off);
        FloatVector s1 = FloatVector.fromArray(S, p, off + lanes);
        FloatVector s2 = FloatVector.fromArray(S, p, off + 2 * lanes);
        FloatVector s3 = FloatVector.fromArray(S, p, off + 3 * lanes);
        boolean edge = visible < 4 * lanes;
        if (edge) {
            s0 = causal(s0, 0, visible);
            s1 = causal(s1, lanes, visible);
            s2 = causal(s2, 2 * lanes, visible);
            s3 = causal(s3, 3 * lanes, visible);
        }
        float blockMax = s0.max(s1).max(s2.max(s3)).reduceLanes(VectorOperators.MAX);
        float r = 1f;
        float mx = max[row];
        if (blockMax > mx) {
            if (sum[row] > 0f) {
                r = (float) Math.exp(mx - blockMax);
                sum[row] *= r;
            }
            mx = blockMax;
            max[row] = mx;
        }
        FloatVector e0 = s0.sub(mx).lanewise(VectorOperators.EXP);
        FloatVector e1 = s1.sub(mx).lanewise(VectorOperators.EXP);
        FloatVector e2 = s2.sub(mx).lanewise(VectorOperators.EXP);
        FloatVector e3 = s3.sub(mx).lanewise(VectorOperators.EXP);
        if (edge) {
            e0 = weight(e0, 0, visible);
            e1 = weight(e1, lanes, visible);
            e2 = weight(e2, 2 * lanes, visible);
            e3 = weight(e3, 3 * lanes, visible);
        }
        e0.intoArray(p, off);
        e1.intoArray(p, off + lanes);
        e2.intoArray(p, off + 2 * lanes);
        e3.intoArray(p, off + 3 * lanes);
        sum[row] += e0.add(e1).add(e2.add(e3)).reduceLanes(VectorOperators.ADD);
        return r;
    }

    /** Scores of lanes {@code from ..} with those at or past {@code visible} set to -inf. */
    private static FloatVector causal(FloatVector s, int from, int visible) {
        return FloatVector.broadcast(S, Float.NEGATIVE_INFINITY).blend(s, S.indexInRange(from, visible));
    }

    /** Weights of lanes {@code from ..} with those at or past {@code visible} set to 0. */
    private static FloatVector weight(FloatVector e, int from, int visible) {
        return FloatVector.zero(S).blend(e, S.indexInRange(from, visible));
    }

    /**
     * For the four rows i of a tile, acc_i = acc_i · r[i] + Σ_{jj < m} p[i·block + jj] · vt_jj, with the
     * block's values a contiguous tile at {@code vt[tile ..]}: four head vectors at a time, so per key
     * 4 value vectors and 4 broadcast weights feed 16 FMAs; then single (the last one masked) vectors
     * for a head dimension that is not a multiple of four vectors.
     */
    private static void values(float[] acc, int accOff, float[] r, float[] p, int m, float[] vt, int tile, int headDim) {
        int lanes = S.length();
        int d = 0;
        for (; d + 4 * lanes <= headDim; d += 4 * lanes) values4(acc, accOff + d, r, p, m, vt, tile + d, headDim);
        for (; d < headDim; d += lanes) values1(acc, accOff + d, r, p, m, vt, tile + d, headDim, headDim - d);
    }

    /**
     * {@link #values} for the four head vectors at {@code acc[off ..]} (rows {@code headDim} apart) and
     * {@code vt[tile ..]}. Its own method, as {@link #values1} is: one method with both loops was too big
     * for C1 ("out of virtual registers"), which leaves a Vector API method to the interpreter until C2
     * compiles it.
     */
    private static void values4(float[] acc, int off, float[] r, float[] p, int m, float[] vt, int tile, int headDim) {
        int lanes = S.length();
        int b = 4 * lanes;
        float ra = r[0], rb = r[1], rc = r[2], rd = r[3];
        int oa = off, ob = oa + headDim, oc = ob + headDim, od = oc + headDim;
        FloatVector a0 = FloatVector.fromArray(S, acc, oa).mul(ra);
        FloatVector a1 = FloatVector.fromArray(S, acc, oa + lanes).mul(ra);
        FloatVector a2 = FloatVector.fromArray(S, acc, oa + 2 * lanes).mul(ra);
        FloatVector a3 = FloatVector.fromArray(S, acc, oa + 3 * lanes).mul(ra);
        FloatVector b0 = FloatVector.fromArray(S, acc, ob).mul(rb);
        FloatVector b1 = FloatVector.fromArray(S, acc, ob + lanes).mul(rb);
        FloatVector b2 = FloatVector.fromArray(S, acc, ob + 2 * lanes).mul(rb);
        FloatVector b3 = FloatVector.fromArray(S, acc, ob + 3 * lanes).mul(rb);
        FloatVector c0 = FloatVector.fromArray(S, acc, oc).mul(rc);
        FloatVector c1 = FloatVector.fromArray(S, acc, oc + lanes).mul(rc);
        FloatVector c2 = FloatVector.fromArray(S, acc, oc + 2 * lanes).mul(rc);
        FloatVector c3 = FloatVector.fromArray(S, acc, oc + 3 * lanes).mul(rc);
        FloatVector d0 = FloatVector.fromArray(S, acc, od).mul(rd);
        FloatVector d1 = FloatVector.fromArray(S, acc, od + lanes).mul(rd);
        FloatVector d2 = FloatVector.fromArray(S, acc, od + 2 * lanes).mul(rd);
        FloatVector d3 = FloatVector.fromArray(S, acc, od + 3 * lanes).mul(rd);
        for (int jj = 0; jj < m; jj++) {
            int o = tile + jj * headDim;
            FloatVector v0 = FloatVector.fromArray(S, vt, o);
            FloatVector v1 = FloatVector.fromArray(S, vt, o + lanes);
            FloatVector v2 = FloatVector.fromArray(S, vt, o + 2 * lanes);
            FloatVector v3 = FloatVector.fromArray(S, vt, o + 3 * lanes);
            FloatVector x = FloatVector.broadcast(S, p[jj]);
            a0 = v0.fma(x, a0); a1 = v1.fma(x, a1); a2 = v2.fma(x, a2); a3 = v3.fma(x, a3);
            x = FloatVector.broadcast(S, p[b + jj]);
            b0 = v0.fma(x, b0); b1 = v1.fma(x, b1); b2 = v2.fma(x, b2); b3 = v3.fma(x, b3);
            x = FloatVector.broadcast(S, p[2 * b + jj]);
            c0 = v0.fma(x, c0); c1 = v1.fma(x, c1); c2 = v2.fma(x, c2); c3 = v3.fma(x, c3);
            x = FloatVector.broadcast(S, p[3 * b + jj]);
            d0 = v0.fma(x, d0); d1 = v1.fma(x, d1); d2 = v2.fma(x, d2); d3 = v3.fma(x, d3);
        }
        a0.intoArray(acc, oa); a1.intoArray(acc, oa + lanes); a2.intoArray(acc, oa + 2 * lanes); a3.intoArray(acc, oa + 3 * lanes);
        b0.intoArray(acc, ob); b1.intoArray(acc, ob + lanes); b2.intoArray(acc, ob + 2 * lanes); b3.intoArray(acc, ob + 3 * lanes);
        c0.intoArray(acc, oc); c1.intoArray(acc, oc + lanes); c2.intoArray(acc, oc + 2 * lanes); c3.intoArray(acc, oc + 3 * lanes);
        d0.intoArray(acc, od); d1.intoArray(acc, od + lanes); d2.intoArray(acc, od + 2 * lanes); d3.intoArray(acc, od + 3 * lanes);
    }

    /** {@link #values} for one head vector, of which the first {@code live} lanes are the head's. */
    private static void values1(float[] acc, int off, float[] r, float[] p, int m, float[] vt, int tile, int headDim,
                                int live) {
        int b = 4 * S.length();
        VectorMask<Float> in = S.indexInRange(0, live);
        int oa = off, ob = oa + headDim, oc = ob + headDim, od = oc + headDim;
        FloatVector a = FloatVector.fromArray(S, acc, oa, in).mul(r[0]);
        FloatVector bb = FloatVector.fromArray(S, acc, ob, in).mul(r[1]);
        FloatVector c = FloatVector.fromArray(S, acc, oc, in).mul(r[2]);
        FloatVector dd = FloatVector.fromArray(S, acc, od, in).mul(r[3]);
        for (int jj = 0; jj < m; jj++) {
            FloatVector v = FloatVector.fromArray(S, vt, tile + jj * headDim, in);
            a = v.fma(FloatVector.broadcast(S, p[jj]), a);
            bb = v.fma(FloatVector.broadcast(S, p[b + jj]), bb);
            c = v.fma(FloatVector.broadcast(S, p[2 * b + jj]), c);
            dd = v.fma(FloatVector.broadcast(S, p[3 * b + jj]), dd);
        }
        a.intoArray(acc, oa, in);
        bb.intoArray(acc, ob, in);
        c.intoArray(acc, oc, in);
        dd.intoArray(acc, od, in);
    }

    /**
     * One query head over KV head {@code kvHead} of a cache layer laid out {@code [kvHead][capacity][headDim]}
     * as native-order floats ({@code KvCache.keys}, off the heap). The same loads, FMAs and order as
     * over a {@code float[]} cache, so the same bits.
     */
    static void decode(float[] q, int qOff, MemorySegment kCache, MemorySegment vCache, int capacity, int length,
                       int kvHead, int headDim, float[] out, int outOff, float scale) {
        online(q, qOff, kCache, vCache, (long) kvHead * capacity * headDim, headDim, length, headDim, out, outOff, scale);
    }

    /** Whether {@link #decode4} takes this head size: whole chunks of four vectors. */
    static boolean decodes4(int headDim) {
        return headDim % (4 * S.length()) == 0;
    }

    /**
     * {@link #decode} for the four query heads {@code h0 .. h0 + 3}, which share KV head {@code kvHead}
     * (GQA), at once: every key and value vector loaded feeds the four heads' FMAs, so the layer's
     * cache is read once per four heads instead of once per head. At 8,192 cached tokens a KV head's
     * keys and values are 4 MiB a layer, and the per-head kernel read them four times a token.
     * Per head the same loads, FMAs and order as {@link #decode}, so the same bits. Needs
     * {@link #decodes4}; the heads' outputs go to {@code out[h · headDim ..]}.
     */
    static void decode4(float[] q, int h0, MemorySegment kCache, MemorySegment vCache, int capacity, int length,
                        int kvHead, int headDim, float[] out, float scale) {
        long base = (long) kvHead * capacity * headDim;
        int lanes = S.length();
        int qa = h0 * headDim, qb = qa + headDim, qc = qb + headDim, qd = qc + headDim;
        java.util.Arrays.fill(out, qa, qa + 4 * headDim, 0f);
        float[] p = new float[4 * BLOCK];
        float[] max = {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY};
        float[] sum = new float[4], r = new float[4], blockMax = new float[4];
        for (int j0 = 0; j0 < length; j0 += BLOCK) {
            int m = Math.min(BLOCK, length - j0);
            float ma = Float.NEGATIVE_INFINITY, mb = ma, mc = ma, md = ma;
            for (int jj = 0; jj < m; jj++) {
                long ko = (base + (long) (j0 + jj) * headDim) * Float.BYTES;
                FloatVector sa = FloatVector.zero(S), sb = sa, sc = sa, sd = sa;
                for (int d = 0; d < headDim; d += lanes) {
                    FloatVector k = FloatVector.fromMemorySegment(S, kCache, ko + (long) d * Float.BYTES, NATIVE);
                    sa = FloatVector.fromArray(S, q, qa + d).fma(k, sa);
                    sb = FloatVector.fromArray(S, q, qb + d).fma(k, sb);
                    sc = FloatVector.fromArray(S, q, qc + d).fma(k, sc);
                    sd = FloatVector.fromArray(S, q, qd + d).fma(k, sd);
                }
                float xa = sa.reduceLanes(VectorOperators.ADD) * scale, xb = sb.reduceLanes(VectorOperators.ADD) * scale;
                float xc = sc.reduceLanes(VectorOperators.ADD) * scale, xd = sd.reduceLanes(VectorOperators.ADD) * scale;
                p[jj] = xa;
                p[BLOCK + jj] = xb;
                p[2 * BLOCK + jj] = xc;
                p[3 * BLOCK + jj] = xd;
                ma = Math.max(ma, xa);
                mb = Math.max(mb, xb);
                mc = Math.max(mc, xc);
                md = Math.max(md, xd);
            }
            blockMax[0] = ma;
            blockMax[1] = mb;
            blockMax[2] = mc;
            blockMax[3] = md;
            for (int i = 0; i < 4; i++) {
                r[i] = 1f;
                if (blockMax[i] > max[i]) {
                    if (sum[i] > 0f) {
                        r[i] = (float) Math.exp(max[i] - blockMax[i]);
                        sum[i] *= r[i];
                    }
                    max[i] = blockMax[i];
                }
                sum[i] += exp(p, i * BLOCK, m, max[i]);
            }
            accumulate4(out, qa, headDim, r, p, m, vCache, base + (long) j0 * headDim);
        }
        int bound = S.loopBound(headDim);
        for (int i = 0; i < 4; i++) scaleInPlace(out, qa + i * headDim, headDim, 1f / sum[i], bound);
    }

    /**
     * {@link #accumulate} for four heads (outputs at {@code outOff + i · headDim}, weights at
     * {@code p[i · BLOCK ..]}) over one block of values: each value vector is loaded once for the four.
     */
    private static void accumulate4(float[] out, int outOff, int headDim, float[] r, float[] p, int m, MemorySegment v,
                                    long vBase) {
        int lanes = S.length();
        long lb = (long) lanes * Float.BYTES;
        float ra = r[0], rb = r[1], rc = r[2], rd = r[3];
        for (int d = 0; d < headDim; d += 4 * lanes) {
            int a = outOff + d, b = a + headDim, c = b + headDim, e = c + headDim;
            FloatVector a0 = FloatVector.fromArray(S, out, a).mul(ra), a1 = FloatVector.fromArray(S, out, a + lanes).mul(ra);
            FloatVector a2 = FloatVector.fromArray(S, out, a + 2 * lanes).mul(ra), a3 = FloatVector.fromArray(S, out, a + 3 * lanes).mul(ra);
            FloatVector b0 = FloatVector.fromArray(S, out, b).mul(rb), b1 = FloatVector.fromArray(S, out, b + lanes).mul(rb);
            FloatVector b2 = FloatVector.fromArray(S, out, b + 2 * lanes).mul(rb), b3 = FloatVector.fromArray(S, out, b + 3 * lanes).mul(rb);
            FloatVector c0 = FloatVector.fromArray(S, out, c).mul(rc), c1 = FloatVector.fromArray(S, out, c + lanes).mul(rc);
            FloatVector c2 = FloatVector.fromArray(S, out, c + 2 * lanes).mul(rc), c3 = FloatVector.fromArray(S, out, c + 3 * lanes).mul(rc);
            FloatVector e0 = FloatVector.fromArray(S, out, e).mul(rd), e1 = FloatVector.fromArray(S, out, e + lanes).mul(rd);
            FloatVector e2 = FloatVector.fromArray(S, out, e + 2 * lanes).mul(rd), e3 = FloatVector.fromArray(S, out, e + 3 * lanes).mul(rd);
            for (int jj = 0; jj < m; jj++) {
                long vo = (vBase + (long) jj * headDim + d) * Float.BYTES;
                FloatVector v0 = FloatVector.fromMemorySegment(S, v, vo, NATIVE);
                FloatVector v1 = FloatVector.fromMemorySegment(S, v, vo + lb, NATIVE);
                FloatVector v2 = FloatVector.fromMemorySegment(S, v, vo + 2 * lb, NATIVE);
                FloatVector v3 = FloatVector.fromMemorySegment(S, v, vo + 3 * lb, NATIVE);
                FloatVector pa = FloatVector.broadcast(S, p[jj]), pb = FloatVector.broadcast(S, p[BLOCK + jj]);
                FloatVector pc = FloatVector.broadcast(S, p[2 * BLOCK + jj]), pd = FloatVector.broadcast(S, p[3 * BLOCK + jj]);
                a0 = v0.fma(pa, a0); a1 = v1.fma(pa, a1); a2 = v2.fma(pa, a2); a3 = v3.fma(pa, a3);
                b0 = v0.fma(pb, b0); b1 = v1.fma(pb, b1); b2 = v2.fma(pb, b2); b3 = v3.fma(pb, b3);
                c0 = v0.fma(pc, c0); c1 = v1.fma(pc, c1); c2 = v2.fma(pc, c2); c3 = v3.fma(pc, c3);
                e0 = v0.fma(pd, e0); e1 = v1.fma(pd, e1); e2 = v2.fma(pd, e2); e3 = v3.fma(pd, e3);
            }
            a0.intoArray(out, a); a1.intoArray(out, a + lanes); a2.intoArray(out, a + 2 * lanes); a3.intoArray(out, a + 3 * lanes);
            b0.intoArray(out, b); b1.intoArray(out, b + lanes); b2.intoArray(out, b + 2 * lanes); b3.intoArray(out, b + 3 * lanes);
            c0.intoArray(out, c); c1.intoArray(out, c + lanes); c2.intoArray(out, c + 2 * lanes); c3.intoArray(out, c + 3 * lanes);
            e0.intoArray(out, e); e1.intoArray(out, e + lanes); e2.intoArray(out, e + 2 * lanes); e3.intoArray(out, e + 3 * lanes);
        }
    }

    /** Keys per block: scores of a block are exponentiated together, and the output rescaled once. */
    private static final int BLOCK = 64;

    /**
     * Keys/values j in [0, count) start at float {@code base + j * stride}. Online softmax by blocks of
     * keys: the running max moves at most once per block, and the block's exponentials are taken
     * in SIMD lanes.
     */
    private static void online(float[] q, int qOff, MemorySegment k, MemorySegment v, long base, int stride, int count,
                               int headDim, float[] out, int outOff, float scale) {
        int bound = S.loopBound(headDim);
        java.util.Arrays.fill(out, outOff, outOff + headDim, 0f);
        float[] p = new float[BLOCK];
        float max = Float.NEGATIVE_INFINITY;
        float sum = 0f;
        for (int j0 = 0; j0 < count; j0 += BLOCK) {
            int m = Math.min(BLOCK, count - j0);
            float blockMax = Float.NEGATIVE_INFINITY;
            for (int jj = 0; jj < m; jj++) {
                float s = dot(q, qOff, k, base + (long) (j0 + jj) * stride, headDim, bound) * scale;
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
            accumulate(out, outOff, r, p, m, v, base + (long) j0 * stride, stride, headDim, bound);
        }
        scaleInPlace(out, outOff, headDim, 1f / sum, bound);
    }

    /** p[off + jj] = exp(p[off + jj] - max) for jj < m; returns their sum. */
    static float exp(float[] p, int off, int m, float max) {
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
     * out = out · r + Σ_{jj < m} p[jj] · v[vBase + jj·stride ..] (float indices into {@code v}): the block's
     * values, summed in registers four vectors of the head at a time, so {@code out} is read and
     * written once per block, not per key.
     */
    private static void accumulate(float[] out, int outOff, float r, float[] p, int m, MemorySegment v, long vBase,
                                   int stride, int headDim, int bound) {
        int lanes = S.length();
        long lb = (long) lanes * Float.BYTES;
        int d = 0;
        for (; d + 4 * lanes <= bound; d += 4 * lanes) {
            int o = outOff + d;
            FloatVector o0 = FloatVector.fromArray(S, out, o).mul(r);
            FloatVector o1 = FloatVector.fromArray(S, out, o + lanes).mul(r);
            FloatVector o2 = FloatVector.fromArray(S, out, o + 2 * lanes).mul(r);
            FloatVector o3 = FloatVector.fromArray(S, out, o + 3 * lanes).mul(r);
            for (int jj = 0; jj < m; jj++) {
                FloatVector pv = FloatVector.broadcast(S, p[jj]);
                long vo = (vBase + (long) jj * stride + d) * Float.BYTES;
                o0 = FloatVector.fromMemorySegment(S, v, vo, NATIVE).fma(pv, o0);
                o1 = FloatVector.fromMemorySegment(S, v, vo + lb, NATIVE).fma(pv, o1);
                o2 = FloatVector.fromMemorySegment(S, v, vo + 2 * lb, NATIVE).fma(pv, o2);
                o3 = FloatVector.fromMemorySegment(S, v, vo + 3 * lb, NATIVE).fma(pv, o3);
            }
            o0.intoArray(out, o);
            o1.intoArray(out, o + lanes);
            o2.intoArray(out, o + 2 * lanes);
            o3.intoArray(out, o + 3 * lanes);
        }
        for (; d < bound; d += lanes) {
            FloatVector o0 = FloatVector.fromArray(S, out, outOff + d).mul(r);
            for (int jj = 0; jj < m; jj++) {
                long vo = (vBase + (long) jj * stride + d) * Float.BYTES;
                o0 = FloatVector.fromMemorySegment(S, v, vo, NATIVE).fma(FloatVector.broadcast(S, p[jj]), o0);
            }
            o0.intoArray(out, outOff + d);
        }
        for (; d < headDim; d++) {
            float o = out[outOff + d] * r;
            for (int jj = 0; jj < m; jj++) o += p[jj] * v.getAtIndex(ValueLayout.JAVA_FLOAT, vBase + (long) jj * stride + d);
            out[outOff + d] = o;
        }
    }

    /** {@code a[aOff ..] · b[bOff ..]} over {@code n} floats, {@code bOff} a float index into the segment. */
    private static float dot(float[] a, int aOff, MemorySegment b, long bOff, int n, int bound) {
        FloatVector acc = FloatVector.zero(S);
        int d = 0;
        for (; d < bound; d += S.length()) {
            acc = FloatVector.fromArray(S, a, aOff + d).fma(FloatVector.fromMemorySegment(S, b, (bOff + d) * Float.BYTES, NATIVE), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; d < n; d++) s += a[aOff + d] * b.getAtIndex(ValueLayout.JAVA_FLOAT, bOff + d);
        return s;
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
