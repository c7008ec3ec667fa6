package dev.windowkv.engine.backend;

import dev.windowkv.engine.backend.simd.PackedGemm;
import dev.windowkv.engine.backend.simd.Q4_0Repacked;
import dev.windowkv.engine.backend.simd.Q8_0Repacked;
import dev.windowkv.engine.backend.simd.RowDecoder;
import dev.windowkv.engine.backend.simd.SimdMatmul;
import dev.windowkv.engine.backend.simd.SimdSwiGlu;
import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.engine.kvcache.KvCache;
import dev.windowkv.engine.model.Weight;
import dev.windowkv.kernels.KMath;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;

/**
 * Threads plus the Vector API: matrix products read the memory-mapped weight blocks directly with
 * SIMD (no staging copy), several tokens per weight load during prefill. Q4_0 and Q8_0 weights wide
 * enough are the exception: repacked on first use so that a vector lane is a block ({@link Q4_0Repacked},
 * {@link Q8_0Repacked}), as llama.cpp repacks for its CPU kernels. Decoded tokens multiply Q4_0 as int8
 * activations, as llama.cpp does; every other product is f32.
 */
public final class VectorBackend extends JavaBackend {
    /** A token block's activations packed for PackedGemm; one matmul runs at a time, so one buffer serves. */
    private float[] packed = new float[0];
    /** The prefill's transposed keys; one layer's attention runs at a time, so one buffer serves every layer. */
    private float[] keysT = new float[0];
    /** The prefill's values with each KV head's keys contiguous (VectorAttention.transposeValues); reused like keysT. */
    private float[] valuesT = new float[0];

    /**
     * Q4_0 and Q8_0 weights repacked for this backend's kernels, by weight identity (a
     * model loaded again, even at the same address, is repacked again); NOT_REPACKED marks the ones
     * kept as GGUF blocks. Each copy has its own arena, closed when its model is (a sweep moves from
     * model to model on one backend) or when the backend is.
     */
    private final Map<Weight, Repacked> repacked = new IdentityHashMap<>();
    /** Column orders by layout: type and width. */
    private final Map<Layout, int[]> columns = new HashMap<>();

    private record Layout(GGMLType type, int cols) {}
    /** One token's activations quantized for Q4_0Repacked.dot (up to two tokens: decode's path). */
    private short[] xq = new short[0];
    private float[] xd = new float[0];
    private int[] xs = new int[0];
    /**
     * The activations xq holds, as they were: the q, k and v projections (and gate and up) read the
     * same x, so equal contents skip quantizing it again. Contents, not identity: buffers are reused.
     */
    private float[] quantizedX = new float[0];
    private int quantizedLength = -1, quantizedCols = -1;
    /** Activations in a repacked weight's column order, for the few-token tile path. */
    private float[] permuted = new float[0];
    /** The same for decode (Q8_0), kept between prefills: a token's few KiB. */
    private float[] decodeX = new float[0];
    /** A repacked row in storage order, for embedding. */
    private float[] embeddingRow = new float[0];
    /** Per token of a rope call: headDim / 2 cosines, then as many sines. */
    private float[] ropeTable = new float[0];

    /** Rows repacked between two hand-backs of the mapped pages. */
    private static final long REPACK_CHUNK_BYTES = 16L << 20;

    private record Repacked(MemorySegment data, int[] columns, RowDecoder decoder, Arena arena) {}

    private static final Repacked NOT_REPACKED = new Repacked(null, null, null, null);

    public VectorBackend(int threads) {
        super(threads);
    }

    @Override
    public String name() {
        return "vector";
    }

    @Override
    public void matmul(Weight w, float[] x, int nTokens, float[] out) {
        Repacked r = repacked(w);
        if (r != NOT_REPACKED) {
            matmulRepacked(w, r, x, nTokens, out);
            return;
        }
        int rows = w.rows();
        if (nTokens < SimdMatmul.MIN_TOKENS_FOR_TILES) {
            // A token or two: one long range per thread, so each thread streams its rows (SimdMatmul.dotRows).
            int share = (rows + threads() - 1) / threads();
            parallelFor(threads(), i -> SimdMatmul.matmul(w.type(), w.data(), w.rowBytes(), Math.min(rows, i * share),
                    Math.min(rows, (i + 1) * share), x, 0, nTokens, w.cols(), out, rows));
            return;
        }
        if (nTokens >= PackedGemm.MIN_TOKENS) {
            packedMatmul(w, x, nTokens, out);
            return;
        }
        int block = rowBlock(rows);
        int blocks = (rows + block - 1) / block;
        int tb = SimdMatmul.tokenBlock(w.cols());
        for (int t0 = 0; t0 < nTokens; t0 += tb) {
            int tokStart = t0, tokEnd = Math.min(nTokens, t0 + tb);
            parallelFor(blocks, b -> SimdMatmul.matmul(w.type(), w.data(), w.rowBytes(), b * block,
                    Math.min(rows, (b + 1) * block), x, tokStart, tokEnd, w.cols(), out, rows));
        }
    }

    /**
     * The repacked copy of a Q4_0 or Q8_0 weight, made on first use (the rows split over the pool). The mapped
     * pages it came from are handed back to the OS as they are copied (MADV_DONTNEED through unload), so
     * the copy replaces them in the resident set rather than doubling it; an embedding lookup on the same
     * tensor faults in only the rows it reads.
     */
    private Repacked repacked(Weight w) {
        boolean q4 = w.type() == GGMLType.Q4_0;
        if (!(q4 && Q4_0Repacked.applies(w.cols())) && !(w.type() == GGMLType.Q8_0 && Q8_0Repacked.applies(w.cols()))) {
            return NOT_REPACKED;
        }
        Repacked r = repacked.get(w);
        if (r != null) return r;
        forgetClosedModels();
        Arena arena = Arena.ofShared();
        MemorySegment copy = arena.allocate(w.bytes(), 64);
        AtomicBoolean ok = new AtomicBoolean(true);
        // A chunk of rows at a time, each chunk's mapped pages handed back once copied: the whole tensor
        // read before the first unload held the output matrix twice (279 MiB of it at Q8_0) at the
        // prefill's peak.
        int chunk = (int) Math.max(1, REPACK_CHUNK_BYTES / w.rowBytes());
        for (int c0 = 0; c0 < w.rows() && ok.get(); c0 += chunk) {
            int from = c0, to = Math.min(w.rows(), c0 + chunk), share = (to - from + threads() - 1) / threads();
            parallelFor(threads(), i -> {
                int start = Math.min(to, from + i * share), end = Math.min(to, from + (i + 1) * share);
                if (!(q4 ? Q4_0Repacked.repack(w.data(), copy, start, end, w.cols(), w.rowBytes())
                        : Q8_0Repacked.repack(w.data(), copy, start, end, w.cols(), w.rowBytes()))) ok.set(false);
            });
            if (w.data().isMapped()) w.data().asSlice(from * w.rowBytes(), (to - from) * w.rowBytes()).unload();
        }
        if (ok.get()) {
            int[] order = columns.computeIfAbsent(new Layout(w.type(), w.cols()),
                    l -> q4 ? Q4_0Repacked.columns(l.cols()) : Q8_0Repacked.columns(l.cols()));
            r = new Repacked(copy, order, q4 ? RowDecoder.q4_0Repacked(w.cols()) : RowDecoder.q8_0Repacked(w.cols()), arena);
        } else {
            arena.close();
            r = NOT_REPACKED;
        }
        repacked.put(w, r);
        return r;
    }

    /**
     * A row of a weight already repacked (a tied embedding is the output matrix) is read from the copy:
     * the mapped pages were handed back, and an 8,192-token prompt's lookups faulted tens of MiB of
     * them in again beside the copy. The same values as the reference (a product per value), put back
     * in column order. A weight not repacked (yet) is read as before; a lookup does not repack.
     */
    @Override
    public void embedding(Weight w, int row, float[] out, int outOff) {
        Repacked r = repacked.get(w);
        if (r == null || r == NOT_REPACKED) {
            super.embedding(w, row, out, outOff);
            return;
        }
        int n = w.cols();
        if (embeddingRow.length < n) embeddingRow = new float[n];
        r.decoder().dequantize(r.data(), row * w.rowBytes(), 0, embeddingRow, 0, n);
        int[] cols = r.columns();
        for (int k = 0; k < n; k++) out[outOff + cols[k]] = embeddingRow[k];
    }

    /** Drops the copies of weights whose model was closed: they can never be asked for again. */
    private void forgetClosedModels() {
        repacked.entrySet().removeIf(e -> {
            if (e.getKey().data().scope().isAlive()) return false;
            if (e.getValue().arena() != null) e.getValue().arena().close();
            return true;
        });
    }

    /** Bytes of repacked weight copies this backend holds. */
    public long repackedBytes() {
        long sum = 0;
        for (Repacked r : repacked.values()) if (r.data() != null) sum += r.data().byteSize();
        return sum;
    }

    /**
     * As {@link #matmul}, over a repacked weight: for a token or two, Q4_0 on int8 activations and Q8_0
     * on the activations in its column order; else f32 tiles.
     */
    private void matmulRepacked(Weight w, Repacked r, float[] x, int nTokens, float[] out) {
        int rows = w.rows(), n = w.cols();
        if (nTokens < SimdMatmul.MIN_TOKENS_FOR_TILES && w.type() == GGMLType.Q8_0) {
            if (decodeX.length < nTokens * n) decodeX = new float[nTokens * n];
            float[] xp = permute(r, x, nTokens, n, decodeX);
            int share = (rows + threads() - 1) / threads();
            MemorySegment data = r.data();
            long rowBytes = w.rowBytes();
            parallelFor(threads(), i -> {
                int start = Math.min(rows, i * share), end = Math.min(rows, (i + 1) * share), quarter = (end - start) / 4;
                for (int t = 0; t < nTokens; t++) {
                    // Rows in fours from the quarters of the thread's range: four streams (Q8_0Repacked.dot4).
                    for (int row = start; row < start + quarter; row++) {
                        Q8_0Repacked.dot4(data, row * rowBytes, quarter * rowBytes, n, xp, t * n, out, t * rows + row, quarter);
                    }
                    for (int row = start + 4 * quarter; row < end; row++) {
                        out[t * rows + row] = Q8_0Repacked.dot(data, row * rowBytes, n, xp, t * n);
                    }
                }
            });
            return;
        }
        if (nTokens < SimdMatmul.MIN_TOKENS_FOR_TILES) {
            int q = Q4_0Repacked.quantizedSize(n), b = Q4_0Repacked.blocks(n);
            if (xq.length < nTokens * q) xq = new short[nTokens * q];
            if (xd.length < nTokens * b) {
                xd = new float[nTokens * b];
                xs = new int[nTokens * b];
            }
            short[] xq = this.xq;
            float[] xd = this.xd;
            int[] xs = this.xs;
            int len = nTokens * n;
            if (n != quantizedCols || len != quantizedLength || !java.util.Arrays.equals(x, 0, len, quantizedX, 0, len)) {
                for (int t = 0; t < nTokens; t++) Q4_0Repacked.quantize(x, t * n, n, xq, t * q, xd, xs, t * b);
                if (quantizedX.length < len) quantizedX = new float[len];
                System.arraycopy(x, 0, quantizedX, 0, len);
                quantizedLength = len;
                quantizedCols = n;
            }
            int share = (rows + threads() - 1) / threads();
            MemorySegment data = r.data();
            long rowBytes = w.rowBytes();
            parallelFor(threads(), i -> {
                int start = Math.min(rows, i * share), end = Math.min(rows, (i + 1) * share), quarter = (end - start) / 4;
                for (int t = 0; t < nTokens; t++) {
                    // Rows in fours from the quarters of the thread's range: four streams (Q4_0Repacked.dot4).
                    for (int row = start; row < start + quarter; row++) {
                        Q4_0Repacked.dot4(data, row * rowBytes, quarter * rowBytes, n, xq, t * q, xd, xs, t * b, x, t * n, out,
                                t * rows + row, quarter);
                    }
                    for (int row = start + 4 * quarter; row < end; row++) {
                        out[t * rows + row] = Q4_0Repacked.dot(data, row * rowBytes, n, xq, t * q, xd, xs, t * b, x, t * n);
                    }
                }
            });
            return;
        }
        if (nTokens >= PackedGemm.MIN_TOKENS) {
            packedMatmul(r.decoder(), r.data(), r.columns(), w, x, nTokens, out);
            return;
        }
        if (permuted.length < nTokens * n) permuted = new float[nTokens * n];
        float[] xp = permute(r, x, nTokens, n, permuted);
        int block = rowBlock(rows);
        int tb = SimdMatmul.tokenBlock(n);
        for (int t0 = 0; t0 < nTokens; t0 += tb) {
            int tokStart = t0, tokEnd = Math.min(nTokens, t0 + tb);
            parallelFor((rows + block - 1) / block, i -> SimdMatmul.tiles(r.decoder(), r.data(), w.rowBytes(), i * block,
                    Math.min(rows, (i + 1) * block), xp, tokStart, tokEnd, n, out, rows));
        }
    }

    /** The tokens' activations in the repacked weight's column order, into xp. */
    private static float[] permute(Repacked r, float[] x, int nTokens, int n, float[] xp) {
        int[] cols = r.columns();
        for (int t = 0; t < nTokens; t++) {
            for (int k = 0; k < n; k++) xp[t * n + k] = x[t * n + cols[k]];
        }
        return xp;
    }

    @Override
    public void close() {
        super.close();
        for (Repacked r : repacked.values()) if (r.arena() != null) r.arena().close();
        repacked.clear();
    }

    private void packedMatmul(Weight w, float[] x, int nTokens, float[] out) {
        packedMatmul(RowDecoder.gguf(w.type()), w.data(), null, w, x, nTokens, out);
    }

    /**
     * Prefill: token blocks of at most {@link PackedGemm#TILES_PER_BLOCK} tiles, as equal as the tile
     * size allows (a ragged last block would run mostly-empty tiles); each block is packed in parallel,
     * then its row blocks of {@link PackedGemm#MC} rows are the work items. The weight's rows are in
     * data, decoded by d, their columns in the order cols gives (null: as stored in GGUF).
     */
    private void packedMatmul(RowDecoder d, MemorySegment data, int[] cols, Weight w, float[] x, int nTokens, float[] out) {
        int rows = w.rows(), n = w.cols();
        int tiles = (nTokens + PackedGemm.NR - 1) / PackedGemm.NR;
        int tokenBlocks = (tiles + PackedGemm.TILES_PER_BLOCK - 1) / PackedGemm.TILES_PER_BLOCK;
        int tilesPerBlock = (tiles + tokenBlocks - 1) / tokenBlocks;
        int size = PackedGemm.packedSize(tilesPerBlock, n);
        if (packed.length < size) packed = new float[size];
        float[] xp = packed;
        int rowBlocks = (rows + PackedGemm.MC - 1) / PackedGemm.MC;
        for (int t0 = 0; t0 < nTokens; t0 += tilesPerBlock * PackedGemm.NR) {
            int tok0 = t0, tokEnd = Math.min(nTokens, t0 + tilesPerBlock * PackedGemm.NR);
            int blockTiles = (tokEnd - tok0 + PackedGemm.NR - 1) / PackedGemm.NR;
            parallelFor(blockTiles, j -> PackedGemm.packTile(x, n, cols, tok0 + j * PackedGemm.NR, tokEnd, xp,
                    j * PackedGemm.NR * n));
            parallelFor(rowBlocks, b -> PackedGemm.multiply(d, data, w.rowBytes(), b * PackedGemm.MC,
                    Math.min(rows, (b + 1) * PackedGemm.MC), xp, tok0, tokEnd, n, out, rows));
        }
    }

    @Override
    public void swiglu(float[] gate, float[] up, int nTokens, int dim) {
        parallelFor(nTokens, t -> SimdSwiGlu.row(gate, up, t * dim, dim));
    }

    /**
     * As the reference (the same angles, products and sums, so the same bits), with each token's cos
     * and sin computed once rather than once per head: 32 heads recomputed 2,048 trig calls per
     * decoded token and layer.
     */
    @Override
    public void rope(float[] x, int nTokens, int nHeads, int headDim, int pos0, float[] invFreq, boolean neox) {
        int half = headDim / 2;
        if (ropeTable.length < nTokens * headDim) ropeTable = new float[nTokens * headDim];
        float[] cs = ropeTable;
        IntConsumer angles = t -> {
            for (int i = 0; i < half; i++) {
                float theta = (pos0 + t) * invFreq[i];
                cs[t * headDim + i] = KMath.cos(theta);
                cs[t * headDim + half + i] = KMath.sin(theta);
            }
        };
        IntConsumer rotate = i -> {
            int c = i / nHeads * headDim, off = i * headDim;
            for (int j = 0; j < half; j++) {
                // NORM rotates adjacent pairs, NEOX the two halves (Rope).
                int p = neox ? off + j : off + 2 * j, q = neox ? off + j + half : off + 2 * j + 1;
                float a = x[p], b = x[q], cos = cs[c + j], sin = cs[c + half + j];
                x[p] = a * cos - b * sin;
                x[q] = a * sin + b * cos;
            }
        };
        if (nTokens == 1) {
            // A decoded token's few thousand products cost less than handing them to the pool.
            angles.accept(0);
            for (int h = 0; h < nHeads; h++) rotate.accept(h);
            return;
        }
        parallelFor(nTokens, angles);
        parallelFor(nTokens * nHeads, rotate);
    }

    @Override
    public void attentionPrefill(float[] q, float[] k, float[] v, float[] out, int nTokens, int nHeads, int nKvHeads, int headDim) {
        attentionPrefill(q, k, v, out, nTokens, 0, nHeads, nKvHeads, headDim);
    }

    @Override
    public void attentionPrefill(float[] q, float[] k, float[] v, float[] out, int nTokens, int pos0, int nHeads,
                                 int nKvHeads, int headDim) {
        int keys = pos0 + nTokens;
        growTransposed(keys, nKvHeads, headDim);
        float[] kt = keysT, vt = valuesT;
        parallelFor(nKvHeads, kvh -> {
            VectorAttention.transposeKeys(k, keys, nKvHeads, headDim, kt, kvh);
            VectorAttention.transposeValues(v, keys, nKvHeads, headDim, vt, kvh);
        });
        prefillTransposed(q, out, nTokens, pos0, nHeads, nKvHeads, headDim);
    }

    /** Over an F32 cache layer (a FullKV prefill's): the same tiles, transposed from there. */
    @Override
    public void attentionPrefill(float[] q, java.lang.foreign.MemorySegment k, java.lang.foreign.MemorySegment v, int capacity,
                                 float[] out, int nTokens, int pos0, int nHeads, int nKvHeads, int headDim) {
        int keys = pos0 + nTokens;
        growTransposed(keys, nKvHeads, headDim);
        float[] kt = keysT, vt = valuesT;
        parallelFor(nKvHeads, kvh -> {
            VectorAttention.transposeKeys(k, capacity, keys, headDim, kt, kvh);
            VectorAttention.transposeValues(v, capacity, keys, headDim, vt, kvh);
        });
        prefillTransposed(q, out, nTokens, pos0, nHeads, nKvHeads, headDim);
    }

    /** Sized once per prefill: doubling chunk by chunk left 2, 4 and 8 MiB arrays behind at 8,192 tokens. */
    @Override
    public void prefillStarts(int keys, int nKvHeads, int headDim) {
        growTransposed(keys, nKvHeads, headDim, 1);
    }

    @Override
    public void prefillEnds() {
        packed = new float[0];
        permuted = new float[0];
        keysT = new float[0];
        valuesT = new float[0];
    }

    /** Floats this backend holds for prefills (packed activations, transposed keys and values); 0 between prefills. */
    public long prefillBufferFloats() {
        return (long) packed.length + permuted.length + keysT.length + valuesT.length;
    }

    private void growTransposed(int keys, int nKvHeads, int headDim) {
        // A chunked prefill the backend was not told of asks for a little more every chunk: doubling
        // leaves garbage of at most the final size, not one key-sized array per chunk.
        growTransposed(keys, nKvHeads, headDim, 2);
    }

    private void growTransposed(int keys, int nKvHeads, int headDim, long factor) {
        int size = VectorAttention.transposedSize(keys, nKvHeads, headDim);
        if (keysT.length < size) keysT = new float[(int) Math.min(Integer.MAX_VALUE - 16, Math.max(size, factor * keysT.length))];
        int vSize = VectorAttention.valuesSize(keys, nKvHeads, headDim);
        if (valuesT.length < vSize) valuesT = new float[(int) Math.min(Integer.MAX_VALUE - 16, Math.max(vSize, factor * valuesT.length))];
    }

    private void prefillTransposed(float[] q, float[] out, int nTokens, int pos0, int nHeads, int nKvHeads, int headDim) {
        float scale = (float) (1.0 / Math.sqrt(headDim));
        float[] kt = keysT, vt = valuesT;
        // Work items are a KV head's group of query heads for a few consecutive tokens (VectorAttention.prefill),
        // head by head, so the threads read the same keys and values at about the same time and the next
        // items find them in L2/L3 (8 heads in turn, 4 MiB each at 8,192 tokens, did not stay there).
        // Within a head later tokens see more keys, so the longest items go first.
        int tokens = VectorAttention.tokensPerItem(nHeads / nKvHeads);
        int items = (nTokens + tokens - 1) / tokens;
        parallelFor(items * nKvHeads, i -> {
            int t0 = (items - 1 - i % items) * tokens;
            VectorAttention.prefill(q, kt, vt, out, t0, pos0, i / items, nTokens, nHeads, nKvHeads, headDim, scale);
        });
    }

    @Override
    public void attentionDecode(float[] q, KvCache cache, int layer, float[] out, int nHeads) {
        if (cache.dtype() != KvCache.Dtype.F32) {
            // F16, Q8_0 and Q4_0 caches have no vector kernel: the scalar ones run on the pool.
            super.attentionDecode(q, cache, layer, out, nHeads);
            return;
        }
        int headDim = cache.headDim();
        int group = nHeads / cache.nKvHeads();
        float scale = (float) (1.0 / Math.sqrt(headDim));
        int capacity = cache.capacity(layer);
        // The cache's own storage, off the heap: read in place, no copy.
        java.lang.foreign.MemorySegment keys = cache.keys(layer);
        java.lang.foreign.MemorySegment values = cache.values(layer);
        // The length is per KV head: head-adaptive budgets differ.
        if (group % 4 == 0 && VectorAttention.decodes4(headDim)) {
            // Four query heads of one KV head per item: the cache is read once per four heads.
            parallelFor(nHeads / 4, i -> VectorAttention.decode4(q, 4 * i, keys, values, capacity,
                    cache.length(layer, 4 * i / group), 4 * i / group, headDim, out, scale));
            return;
        }
        parallelFor(nHeads, h -> VectorAttention.decode(q, h * headDim, keys, values, capacity, cache.length(layer, h / group),
                h / group, headDim, out, h * headDim, scale));
    }

    @Override
    public float[] attentionMass(float[] q, float[] k, int n, int nHeads, int nKvHeads, int headDim, int firstQuery,
                                 int causalFrom, int keyCount) {
        return attentionMass(q, 0, k, n, nHeads, nKvHeads, headDim, firstQuery, causalFrom, keyCount);
    }

    @Override
    public float[] attentionMass(float[] q, int queryFrom, float[] k, int n, int nHeads, int nKvHeads, int headDim,
                                 int firstQuery, int causalFrom, int keyCount) {
        if (firstQuery < queryFrom) {
            throw new IllegalArgumentException("query " + firstQuery + " is before the first kept query " + queryFrom);
        }
        float[] a = new float[nHeads * keyCount];
        if (n - firstQuery <= 0 || keyCount == 0) return a;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        // One work item per query head: it owns a[h][*], so rows add up without races, and every
        // logit is computed once (the reference recomputes them in each of its two passes).
        parallelFor(nHeads, h -> VectorAttention.mass(q, queryFrom, k, n, nHeads, nKvHeads, headDim, firstQuery, causalFrom,
                keyCount, scale, h, a));
        return a;
    }
}
