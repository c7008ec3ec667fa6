package dev.windowkv.engine.model;

import dev.windowkv.engine.UserError;
import dev.windowkv.engine.backend.Backend;
import dev.windowkv.engine.backend.DeviceDecoder;
import dev.windowkv.engine.kvcache.Compressor;
import dev.windowkv.engine.kvcache.KeptTokens;
import dev.windowkv.engine.kvcache.KvCache;
import dev.windowkv.engine.kvcache.KvPolicy;
import dev.windowkv.engine.kvcache.PrefillLayer;
import dev.windowkv.engine.kvcache.ScoreMemo;
import dev.windowkv.engine.sampling.Sampler;

/**
 * The forward pass of a Llama/Qwen2/Qwen3 decoder, written as the model's equations:
 * rmsnorm → qkv (+bias) → per-head q/k rmsnorm (Qwen3) → rope → attention → output projection → residual → rmsnorm → SwiGLU FFN → residual.
 *
 * <p>Prefill runs the prompt in chunks of {@link #PREFILL_CHUNK} tokens (llama.cpp's ubatch), each
 * through every layer: a chunk's queries attend causally to all keys of the layer so far, which wait
 * off the heap ({@link PromptKv}), so the activations take O(chunk × dim) memory whatever the prompt
 * length. After a layer's last chunk its full keys and values are attended to in full (the first
 * generated token sees the whole prompt), the KV policy selects from them and the queries it kept
 * ({@link LayerObservations}), and only what it keeps is written into the cache. Decode then appends
 * one token per step, without eviction, at its true position.
 */
public final class Transformer implements AutoCloseable {
    /**
     * Prompt tokens per prefill chunk. Enough for the packed GEMM's token tiles (it takes over from 64
     * tokens) to run at full width; small enough that a chunk's activations stay a few MiB.
     */
    static final int PREFILL_CHUNK = 512;
    /**
     * FFN activations are computed this many tokens at a time, to bound prefill memory: the gate and
     * up blocks are {@code FFN_CHUNK × ffnDim} floats each (8 MiB on Llama-3.2-1B; 16 at 512 tokens).
     * The packed GEMM multiplies at most 256 tokens per pass over the weights anyway
     * ({@code PackedGemm.TILES_PER_BLOCK} tiles), so a smaller chunk would stream the weights more often.
     */
    static final int FFN_CHUNK = 256;

    private final Model model;
    private final ModelConfig c;
    private final Backend backend;
    private KvCache cache;
    private DeviceDecoder device; // non-null when the backend decodes whole layers on a device
    private int position;
    private int prefillChunk = PREFILL_CHUNK;
    private int ffnChunk = FFN_CHUNK;
    private long prefillHeapFloats;
    private double compressMillis;
    private double attentionMillis;

    public Transformer(Model model, Backend backend) {
        this.model = model;
        this.c = model.config();
        this.backend = backend;
    }

    public KvCache cache() { return cache; }

    /**
     * Frees the cache's storage (off the heap, {@link KvCache#close}); what it recorded stays readable
     * and a new prefill starts a new one. A transformer dropped unclosed has its cache freed when it is
     * collected.
     */
    @Override
    public void close() {
        if (cache != null) cache.close();
    }
    public int position() { return position; }
    /** Wall time spent choosing and gathering kept tokens during the last prefill. */
    public double compressMillis() { return compressMillis; }
    /**
     * Wall time of the last prefill's attention ({@code Backend.attentionPrefill}, every layer):
     * two clock reads per layer, so it is always on.
     */
    public double attentionMillis() { return attentionMillis; }
    ModelConfig config() { return c; }
    Model model() { return model; }
    Backend backend() { return backend; }

    /**
     * Receives each layer's post-RoPE queries and keys/values of the whole prompt right after the
     * layer's prefill attention; arrays are reused for the next layer, so a sink that keeps them must
     * copy. A device prefill ({@code Backend.prefill}) feeds one; on the host a prefill into a
     * {@code LayerSink} runs the prompt in one chunk, so that every layer's whole queries exist.
     */
    public interface LayerSink {
        void layer(int layer, float[] q, float[] k, float[] v);

        /**
         * What a device prefill may compute for layer {@code layer} of an {@code n}-token prompt so
         * that only the policy's selection comes back ({@link #layerSelected}), or null (the default):
         * the queries come back ({@link #layer}). Asked for every layer before the prefill.
         */
        default dev.windowkv.engine.kvcache.DeviceSelection deviceSelection(int layer, int n) {
            return null;
        }

        /**
         * Instead of {@link #layer}: the layer's keys/values and the device's result for
         * {@link #deviceSelection}. {@code k} and {@code v} are null when they stayed on the device,
         * in {@link #decoder}'s memory.
         */
        default void layerSelected(int layer, int[] result, float[] k, float[] v) {
            throw new UnsupportedOperationException("this sink takes the queries");
        }

        /**
         * The device decoder this prefill's kept keys and values go to, or null (the default): a
         * device backend may then prefill in that decoder's memory and keep them there.
         */
        default dev.windowkv.engine.backend.DeviceDecoder decoder() {
            return null;
        }

        /**
         * Several selections of layer {@code layer} (a capture's policies, one entry each), or null:
         * the queries come back. The default is {@link #deviceSelection}'s, alone.
         */
        default dev.windowkv.engine.kvcache.DeviceSelection[] deviceSelections(int layer, int n) {
            dev.windowkv.engine.kvcache.DeviceSelection s = deviceSelection(layer, n);
            return s == null ? null : new dev.windowkv.engine.kvcache.DeviceSelection[] {s};
        }

        /** {@link #layerSelected(int, int[], float[], float[])} with one result per {@link #deviceSelections} entry. */
        default void layerSelected(int layer, int[][] results, float[] k, float[] v) {
            layerSelected(layer, results[0], k, v);
        }

        /**
         * The device capture this prefill's keys and values stay in for several restores
         * ({@code Backend.deviceCapture}), or null (the default).
         */
        default dev.windowkv.engine.backend.DeviceCapture capture() {
            return null;
        }
    }

    /** What a chunked prefill tells its consumer (the live compression, a capture). */
    interface ChunkSink {
        /**
         * Layer {@code layer}'s chunk after its attention: queries {@code q} of positions
         * {@code pos0 .. pos0+m-1} (rows {@code 0..m-1}), keys and values of positions {@code 0 .. pos0+m-1}.
         * In a staged prefill {@code v} is null (the values stay where they are staged) and, before a
         * layer's last chunk, so is {@code k} unless the sink {@link #readsChunkKeys}.
         */
        void chunk(int layer, int pos0, int m, float[] q, float[] k, float[] v);

        /**
         * Whether {@link #chunk} reads the keys so far before a layer's last chunk (H2O's causal mass).
         * A staged prefill attends to them where they are staged, off the heap, and copies them onto
         * the heap for a chunk only when asked.
         */
        default boolean readsChunkKeys() {
            return true;
        }

        /**
         * Right after the layer's last chunk: {@code k} and {@code v} hold all its prompt rows ({@code v}
         * null in a staged prefill).
         */
        void layerDone(int layer, float[] k, float[] v);
    }

    /**
     * Sets the tokens per prefill chunk (tests compare chunk sizes; a prompt no longer than it runs in
     * one chunk).
     */
    void prefillChunk(int tokens) {
        if (tokens < 1) throw new IllegalArgumentException("prefill chunk " + tokens + " < 1");
        this.prefillChunk = tokens;
    }

    /** Sets the tokens per FFN block of a prefill chunk (speed and memory comparisons). */
    void ffnChunk(int tokens) {
        if (tokens < 1) throw new IllegalArgumentException("FFN chunk " + tokens + " < 1");
        this.ffnChunk = tokens;
    }

    /** Floats of the arrays the last host prefill allocated for its activations (what a test bounds). */
    long prefillHeapFloats() {
        return prefillHeapFloats;
    }

    /** Tokens per chunk for a prompt of {@code n} whose policies read its last {@code queries} queries. */
    int chunkFor(int n, int queries) {
        // A policy that reads more queries than a chunk holds (every query: H2O's window mask, a
        // plug-in that does not say) gets the whole prompt in one chunk, as before chunking.
        return queries > prefillChunk ? n : Math.min(n, prefillChunk);
    }

    /**
     * Runs the prompt, fills a cache sized by the compressor's per-layer capacity plus
     * {@code decodeRoom} slots, and returns the logits of the last prompt token.
     */
    public float[] prefill(int[] tokens, Compressor compressor, int decodeRoom, KvCache.Dtype dtype) {
        int n = tokens.length;
        checkLength(n, decodeRoom);
        for (int token : tokens) checkToken(token);
        startCache(n, compressor, decodeRoom, dtype);
        float[] onDevice = backend.prefill(model, tokens, new LayerSink() {
            @Override
            public void layer(int l, float[] q, float[] k, float[] v) {
                compressLayer(l, n, q, k, v, compressor);
            }

            @Override
            public dev.windowkv.engine.kvcache.DeviceSelection deviceSelection(int l, int promptLength) {
                return compressor.deviceSelection(l, promptLength);
            }

            @Override
            public void layerSelected(int l, int[] result, float[] k, float[] v) {
                long t0 = System.nanoTime();
                KeptTokens kept = compressor.selectFromDevice(l, n, c.nKvHeads(), result);
                compressMillis += (System.nanoTime() - t0) / 1e6;
                store(l, n, k, v, kept);
            }

            @Override
            public dev.windowkv.engine.backend.DeviceDecoder decoder() {
                return device;
            }
        });
        if (onDevice != null) {
            position = n;
            return onDevice;
        }
        int chunk = chunkFor(n, compressor.queries());
        if (chunk < n && dtype == KvCache.Dtype.F32 && device == null && compressor.keepsEveryToken()) {
            // FullKV: each chunk's keys and values go straight into the cache, and later chunks attend
            // to them there; nothing stages the prompt's keys and values, and nothing is selected.
            return chunked(tokens, chunk, null, cache, false, new ChunkSink() {
                @Override
                public void chunk(int layer, int pos0, int m, float[] q, float[] k, float[] v) {}

                @Override
                public void layerDone(int layer, float[] k, float[] v) {
                    long t0 = System.nanoTime();
                    cache.fillFromPrefill(layer, null, null, n, KeptTokens.all(n), backend);
                    compressMillis += (System.nanoTime() - t0) / 1e6;
                }
            });
        }
        LayerObservations seen = new LayerObservations(c, backend, n, compressor.queries(), compressor.causalMass());
        try (PromptKv kv = chunk < n ? new PromptKv(c.nLayers(), n, c.nKvHeads(), c.headDim()) : null) {
            return chunked(tokens, chunk, kv, null, true, new ChunkSink() {
                @Override
                public void chunk(int layer, int pos0, int m, float[] q, float[] k, float[] v) {
                    seen.chunk(layer, pos0, m, q, k);
                }

                @Override
                public boolean readsChunkKeys() {
                    return seen.causalMass();
                }

                @Override
                public void layerDone(int layer, float[] k, float[] v) {
                    long t0 = System.nanoTime();
                    KeptTokens kept = compressor.select(seen.layer(layer, k, ScoreMemo.none()));
                    seen.drop(layer);
                    compressMillis += (System.nanoTime() - t0) / 1e6;
                    // The values are read where they were staged (no heap copy); the layer's block goes back
                    // to the OS right after this (chunked's freeAsRead).
                    if (v == null) storeStaged(layer, n, kv, kept);
                    else store(layer, n, k, v, kept);
                }
            });
        }
    }

    /**
     * Compresses a prefill captured earlier ({@link PrefillCapture}) under one of the policies it
     * was captured for: the prefill does not depend on the policy, so a sweep runs it once per
     * prompt. The policy chose its tokens during the capture; this fills the cache with them.
     */
    public void restore(PrefillCapture capture, KvPolicy policy, int decodeRoom, KvCache.Dtype dtype) {
        PrefillCapture.Selection sel = capture.selection(policy);
        int n = capture.promptLength();
        checkLength(n, decodeRoom);
        dev.windowkv.engine.backend.DeviceCapture onDevice = capture.capture();
        if (onDevice != null) {
            // The keys and values stayed on the device: only the kept indices go down, into that same plan.
            startCache(n, sel.compressor(), decodeRoom, dtype, onDevice);
            if (device == null) throw new IllegalStateException(backend.name() + " gave no decoder for a prefill kept on its device");
            for (int l = 0; l < c.nLayers(); l++) store(l, n, null, null, sel.kept(l));
            compressMillis += sel.selectMillis();
            position = n;
            return;
        }
        startCache(n, sel.compressor(), decodeRoom, dtype, null);
        for (int l = 0; l < c.nLayers(); l++) storeStaged(l, n, capture.store(), sel.kept(l));
        compressMillis += sel.selectMillis();
        position = n;
    }

    private void checkLength(int n, int decodeRoom) {
        if (n == 0) throw new UserError("the prompt is empty");
        if (n + decodeRoom > c.maxSequence()) {
            String limit = c.maxSequence() < c.contextLength()
                    ? "sliding attention window is " + c.slidingWindow() + " tokens (this engine attends over all "
                            + "earlier tokens, which is the same only within the window)"
                    : "context is " + c.contextLength() + " tokens";
            throw new UserError("the prompt has " + n + " tokens and " + decodeRoom + " more may be generated, but the model's "
                    + limit + "; shorten the prompt or lower --max-tokens");
        }
    }

    private void startCache(int n, Compressor compressor, int decodeRoom, KvCache.Dtype dtype) {
        startCache(n, compressor, decodeRoom, dtype, null);
    }

    /** With {@code capture} (may be null): the decoder is one of the plan the capture's keys and values are in. */
    private void startCache(int n, Compressor compressor, int decodeRoom, KvCache.Dtype dtype,
                            dev.windowkv.engine.backend.DeviceCapture capture) {
        // A new prefill replaces this transformer's cache: the old one's storage goes back to the OS now.
        if (cache != null) cache.close();
        int[] capacity = new int[c.nLayers()];
        for (int l = 0; l < capacity.length; l++) capacity[l] = Math.min(n, compressor.capacity(l)) + decodeRoom;
        cache = new KvCache(c.nLayers(), c.nKvHeads(), c.headDim(), capacity, dtype);
        device = capture == null ? backend.deviceDecoder(model, cache, n) : backend.deviceDecoder(model, cache, n, capture);
        compressMillis = 0;
    }

    /** Chooses the tokens of layer {@code l} of a live prefill and stores them. */
    private void compressLayer(int l, int n, float[] q, float[] k, float[] v, Compressor compressor) {
        long t0 = System.nanoTime();
        KeptTokens kept = compressor.select(new PrefillLayer(l, n, c.nHeads(), c.nKvHeads(), c.headDim(), q, k, backend,
                ScoreMemo.none()));
        compressMillis += (System.nanoTime() - t0) / 1e6;
        store(l, n, k, v, kept);
    }

    /** {@link #store} from where a prefill staged the keys and values ({@code kv}), not from heap copies. */
    private void storeStaged(int l, int n, PromptKv kv, KeptTokens kept) {
        if (device != null) {
            // The device decoder takes heap rows.
            float[] k = new float[n * c.kvDim()], v = new float[n * c.kvDim()];
            kv.keys(l, n, k);
            kv.values(l, n, v);
            store(l, n, k, v, kept);
            return;
        }
        long t0 = System.nanoTime();
        cache.fillFromStaged(l, kv.keys(l), kv.values(l), n, kept, backend);
        compressMillis += (System.nanoTime() - t0) / 1e6;
    }

    /**
     * Fills layer {@code l} of the cache (and of the device's) with the {@code kept} prompt tokens;
     * {@code k} and {@code v} are null when they stayed in the device decoder's memory, and the host
     * cache then records only which tokens it keeps.
     */
    private void store(int l, int n, float[] k, float[] v, KeptTokens kept) {
        long t0 = System.nanoTime();
        cache.fillFromPrefill(l, k, v, n, kept, backend);
        if (device != null) {
            if (kept != null && (kept.isRagged() || kept.prunesKeyChannels())) {
                // The device cache holds one length per layer and every key channel.
                throw new UserError("this KV policy keeps a different count per head or prunes key channels, which the "
                        + backend.name() + " device decoder does not support; use a host backend (--backend vector)");
            }
            device.compact(l, k, v, n, kept == null ? KeptTokens.all(n) : kept);
        }
        compressMillis += (System.nanoTime() - t0) / 1e6;
    }

    /**
     * The prefill alone: hands every layer to {@code sink} and returns the last token's logits. On the
     * host it runs in one chunk (the sink takes whole layers); a device backend prefills there.
     */
    public float[] prefill(int[] tokens, LayerSink sink) {
        int n = tokens.length;
        if (n > c.maxSequence()) checkLength(n, 0);
        for (int token : tokens) checkToken(token);
        float[] onDevice = backend.prefill(model, tokens, sink);
        if (onDevice != null) {
            position = n;
            return onDevice;
        }
        float[][] queries = new float[1][];
        return chunked(tokens, n, null, null, false, new ChunkSink() {
            @Override
            public void chunk(int layer, int pos0, int m, float[] q, float[] k, float[] v) {
                queries[0] = q;
            }

            @Override
            public void layerDone(int layer, float[] k, float[] v) {
                sink.layer(layer, queries[0], k, v);
            }
        });
    }

    /**
     * The prefill for a capture: on the device as {@link #prefill(int[], LayerSink)}, else in chunks
     * as its policies allow, the keys and values going into the capture's store as they are made.
     */
    float[] prefill(int[] tokens, PrefillCapture capture) {
        int n = tokens.length;
        if (n > c.maxSequence()) checkLength(n, 0);
        for (int token : tokens) checkToken(token);
        float[] onDevice = backend.prefill(model, tokens, capture);
        if (onDevice != null) {
            position = n;
            return onDevice;
        }
        return chunked(tokens, chunkFor(n, capture.queries()), capture.store(), null, false, capture);
    }

    /**
     * The host prefill in chunks of {@code chunk} tokens (the whole prompt when {@code chunk >= n}).
     * Every layer's keys and values go into {@code kv} (null: a one-chunk prefill that keeps none),
     * from which each later chunk's attention reads the layer's rows so far.
     *
     * <p>The activations are a chunk's: the residual stream; the normed input, which then takes the
     * attention output; the queries, which then take the output projection; the chunk's keys and
     * values; and, at a layer's last chunk, its keys on the heap for the sink's selection (at every
     * chunk for a sink that {@link ChunkSink#readsChunkKeys}), {@code n × kvDim}. The chunks attend to
     * the keys and values so far where {@code kv} stages them (the vector backend transposes them from
     * there), and the values never go onto the heap: the sink reads them from {@code kv}.
     *
     * <p>{@code freeAsRead}: the prefill owns {@code kv}, and each layer's block is freed as soon as the
     * sink has taken that layer ({@link ChunkSink#layerDone}).
     *
     * <p>{@code into} (instead of {@code kv}): an F32 cache that keeps every prompt token (FullKV). Each
     * chunk's keys and values are written into it, and the attention reads them there
     * ({@code Backend.attentionPrefill} over the cache layer): no staging block, no heap copy of a
     * layer's keys and values so far; the sink sees no keys or values (null).
     */
    private float[] chunked(int[] tokens, int chunk, PromptKv kv, KvCache into, boolean freeAsRead, ChunkSink sink) {
        int n = tokens.length;
        int u = Math.min(chunk, n);
        if (u < n && kv == null && into == null) throw new IllegalArgumentException("a prefill in chunks needs a key/value store");
        int dim = c.dim();
        int kvDim = c.kvDim();
        int wide = Math.max(dim, c.qDim());
        float[] x = new float[u * dim];
        // xb: the normed input, dead after q/k/v are computed, then holds the attention output;
        // q: the queries, dead once the sink has seen them, then holds the output projection.
        float[] xb = new float[u * wide];
        float[] q = new float[u * wide];
        float[] k = new float[u * kvDim];
        float[] v = new float[u * kvDim];
        // A staged prefill's heap copy of a layer's keys: made at its last chunk (for the sink's
        // selection), and per chunk only for a sink that reads the keys so far.
        boolean staged = u < n && into == null;
        float[] keys = staged ? null : k;
        float[] values = staged ? null : v; // a staged prefill's values stay staged: the sink reads them from kv
        boolean chunkKeys = staged && sink.readsChunkKeys();
        int ffn = Math.min(u, ffnChunk);
        float[] gate = new float[ffn * c.ffnDim()];
        float[] up = new float[ffn * c.ffnDim()];
        float[] xc = new float[ffn * dim];
        float[] down = new float[ffn * dim];
        prefillHeapFloats = (long) x.length + xb.length + q.length + k.length + v.length + gate.length + up.length
                + xc.length + down.length + (staged ? (long) n * kvDim : 0);
        attentionMillis = 0;
        if (u < n) backend.prefillStarts(n, c.nKvHeads(), c.headDim());
        try {
            int m = 0;
            for (int pos0 = 0; pos0 < n; pos0 += m) {
                m = Math.min(u, n - pos0);
                boolean last = pos0 + m == n;
                for (int t = 0; t < m; t++) backend.embedding(model.tokenEmbedding(), tokens[pos0 + t], x, t * dim);
                for (int l = 0; l < c.nLayers(); l++) {
                    LayerWeights w = model.layer(l);
                    backend.rmsnorm(xb, x, w.attnNorm(), m, dim, c.normEps());
                    qkv(w, xb, m, q, k, v, pos0);
                    float[] att = xb;
                    if (into != null) {
                        into.writePromptRows(l, pos0, m, k, v);
                        long a0 = System.nanoTime();
                        backend.attentionPrefill(q, into.keys(l), into.values(l), into.capacity(l), att, m, pos0, c.nHeads(),
                                c.nKvHeads(), c.headDim());
                        attentionMillis += (System.nanoTime() - a0) / 1e6;
                        sink.chunk(l, pos0, m, q, null, null);
                        if (last) sink.layerDone(l, null, null);
                    } else {
                        if (kv != null) kv.write(l, pos0, m, k, v);
                        long a0 = System.nanoTime();
                        if (staged) {
                            backend.attentionPrefill(q, kv.keys(l), kv.values(l), n, att, m, pos0, c.nHeads(), c.nKvHeads(),
                                    c.headDim());
                        } else {
                            backend.attentionPrefill(q, k, v, att, m, pos0, c.nHeads(), c.nKvHeads(), c.headDim());
                        }
                        attentionMillis += (System.nanoTime() - a0) / 1e6;
                        if (staged && (last || chunkKeys)) {
                            if (keys == null) keys = new float[n * kvDim];
                            kv.keys(l, pos0 + m, keys);
                        }
                        sink.chunk(l, pos0, m, q, !staged || last || chunkKeys ? keys : null, values);
                        if (last) sink.layerDone(l, keys, values);
                        if (last && freeAsRead && kv != null) kv.free(l);
                    }
                    float[] proj = q;
                    backend.matmul(w.wo(), att, m, proj);
                    add(x, proj, m * dim);
                    backend.rmsnorm(xb, x, w.ffnNorm(), m, dim, c.normEps());
                    for (int t0c = 0; t0c < m; t0c += ffn) {
                        int mc = Math.min(ffn, m - t0c);
                        System.arraycopy(xb, t0c * dim, xc, 0, mc * dim);
                        ffn(w, xc, mc, gate, up, down);
                        for (int i = 0; i < mc * dim; i++) x[t0c * dim + i] += down[i];
                    }
                }
            }
            position = n;
            return logits(x, m - 1);
        } finally {
            backend.prefillEnds();
        }
    }

    /**
     * Feeds one token at the next position and returns the logits for the token after it. With a
     * device decoder the cache grows on the device only, so the host cache keeps its prefill length.
     */
    public float[] decode(int token) {
        checkToken(token);
        int dim = c.dim();
        if (device != null) {
            return device.decode(token, position++);
        }
        float[] x = new float[dim];
        float[] xb = new float[dim];
        float[] q = new float[c.qDim()];
        float[] k = new float[c.kvDim()];
        float[] v = new float[c.kvDim()];
        float[] att = new float[c.qDim()];
        float[] proj = new float[dim];
        float[] gate = new float[c.ffnDim()];
        float[] up = new float[c.ffnDim()];
        float[] down = new float[dim];
        backend.embedding(model.tokenEmbedding(), token, x, 0);
        for (int l = 0; l < c.nLayers(); l++) {
            LayerWeights w = model.layer(l);
            backend.rmsnorm(xb, x, w.attnNorm(), 1, dim, c.normEps());
            qkv(w, xb, 1, q, k, v, position);
            cache.append(l, k, 0, v, 0, position);
            backend.attentionDecode(q, cache, l, att, c.nHeads());
            backend.matmul(w.wo(), att, 1, proj);
            add(x, proj, dim);
            backend.rmsnorm(xb, x, w.ffnNorm(), 1, dim, c.normEps());
            ffn(w, xb, 1, gate, up, down);
            add(x, down, dim);
        }
        position++;
        return logits(x, 0);
    }

    /**
     * {@link #decode}, then the greedy next token ({@link Sampler#argmax} of the logits). With a
     * device decoder the argmax is computed there, and only it comes back, not the logits.
     */
    public int decodeGreedy(int token) {
        if (device != null) {
            checkToken(token);
            return device.decodeGreedy(token, position++);
        }
        return Sampler.argmax(decode(token));
    }

    private void qkv(LayerWeights w, float[] xb, int n, float[] q, float[] k, float[] v, int pos0) {
        backend.matmul(w.wq(), xb, n, q);
        backend.matmul(w.wk(), xb, n, k);
        backend.matmul(w.wv(), xb, n, v);
        if (w.bq() != null) addBias(q, w.bq(), n);
        if (w.bk() != null) addBias(k, w.bk(), n);
        if (w.bv() != null) addBias(v, w.bv(), n);
        if (w.qNorm() != null) {
            // QK-norm: every head's vector on its own (each is a row of headDim), in place, before RoPE
            backend.rmsnorm(q, q, w.qNorm(), n * c.nHeads(), c.headDim(), c.normEps());
            backend.rmsnorm(k, k, w.kNorm(), n * c.nKvHeads(), c.headDim(), c.normEps());
        }
        boolean neox = c.arch().ropeNeox;
        backend.rope(q, n, c.nHeads(), c.headDim(), pos0, model.ropeInvFreq(), neox);
        backend.rope(k, n, c.nKvHeads(), c.headDim(), pos0, model.ropeInvFreq(), neox);
    }

    private void ffn(LayerWeights w, float[] xb, int n, float[] gate, float[] up, float[] down) {
        backend.matmul(w.gate(), xb, n, gate);
        backend.matmul(w.up(), xb, n, up);
        backend.swiglu(gate, up, n, c.ffnDim());
        backend.matmul(w.down(), gate, n, down);
    }

    private float[] logits(float[] x, int t) {
        float[] last = new float[c.dim()];
        backend.rmsnorm(last, java.util.Arrays.copyOfRange(x, t * c.dim(), (t + 1) * c.dim()), model.outputNorm(), 1,
                c.dim(), c.normEps());
        float[] logits = new float[model.output().rows()];
        backend.matmul(model.output(), last, 1, logits);
        return logits;
    }

    private void checkToken(int token) {
        if (token < 0 || token >= model.tokenEmbedding().rows()) {
            throw new UserError("token id " + token + " is outside the model's vocabulary of " + model.tokenEmbedding().rows());
        }
    }

    private static void add(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) x[i] += y[i];
    }

    private static void addBias(float[] x, float[] bias, int n) {
        int d = bias.length;
        for (int t = 0; t < n; t++) for (int i = 0; i < d; i++) x[t * d + i] += bias[i];
    }
}
