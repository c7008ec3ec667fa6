package dev.windowkv.engine.backend;

import dev.windowkv.engine.kvcache.KvCache;
import dev.windowkv.engine.model.Weight;

import dev.windowkv.kernels.kv.ObservationScores;

import java.util.function.IntConsumer;

/**
 * Runs the kernels of {@code tornado-kernels}. Every kernel body is written per work item (a row,
 * a head, a window); a backend decides how the work items are spread (one thread, many threads,
 * SIMD lanes, or a TornadoVM device) and must give the scalar reference's results within the
 * tolerances the backend tests state.
 *
 * <p>Activations are flat row-major {@code float[]} blocks of {@code nTokens} rows.
 */
public interface Backend extends AutoCloseable {
    /** The name used on the command line ({@code --backend}). */
    String name();

    /** The device it computes on, as reports name it ("CPU" for the Java backends). */
    default String device() {
        return "CPU";
    }

    /** Threads this backend computes with. */
    int threads();

    /** Runs {@code body} for every work item in [0, n); items must be independent. */
    void parallelFor(int n, IntConsumer body);

    /** out[t][r] = W[r] · x[t] for t in [0, nTokens): x is {@code [nTokens][w.cols]}, out {@code [nTokens][w.rows]}. */
    void matmul(Weight w, float[] x, int nTokens, float[] out);

    /** Dequantizes row {@code row} of {@code w} (an embedding lookup) into out[outOff ..]. */
    void embedding(Weight w, int row, float[] out, int outOff);

    void rmsnorm(float[] out, float[] x, float[] weight, int nTokens, int dim, float eps);

    /** Rotates {@code nHeads} vectors per token; token t is at position {@code pos0 + t}. */
    void rope(float[] x, int nTokens, int nHeads, int headDim, int pos0, float[] invFreq, boolean neox);

    /**
     * A prefill of {@code keys} tokens begins, in chunks: a backend that keeps per-prefill attention
     * buffers sizes them once here, instead of growing them chunk by chunk (the grown-out sizes stay
     * on the heap as garbage until a collection).
     */
    default void prefillStarts(int keys, int nKvHeads, int headDim) {}

    /**
     * The host prefill is over: a backend drops the buffers it sized for it (the vector backend's
     * transposed keys and values and packed activations, 40 MiB at 8,192 tokens of a 1B model), which
     * would otherwise stay live through the whole decode.
     */
    default void prefillEnds() {}

    /** Causal self-attention of a block of tokens over itself (the prefill). */
    void attentionPrefill(float[] q, float[] k, float[] v, float[] out, int nTokens, int nHeads, int nKvHeads, int headDim);

    /**
     * Causal attention of a chunk of a prefill (llama.cpp's ubatch): {@code nTokens} queries at
     * positions {@code pos0 ..}, rows {@code 0..nTokens-1} of {@code q} and {@code out}, over the
     * keys/values of positions {@code 0 .. pos0 + nTokens - 1} ({@code k}, {@code v} hold those rows):
     * query {@code t} sees keys {@code j <= pos0 + t}. With {@code pos0 = 0} it is
     * {@link #attentionPrefill(float[], float[], float[], float[], int, int, int, int)}; the default
     * for later chunks is the scalar kernel's online softmax, spread over {@link #parallelFor}.
     */
    default void attentionPrefill(float[] q, float[] k, float[] v, float[] out, int nTokens, int pos0, int nHeads,
                                  int nKvHeads, int headDim) {
        if (pos0 == 0) {
            attentionPrefill(q, k, v, out, nTokens, nHeads, nKvHeads, headDim);
            return;
        }
        float scale = (float) (1.0 / Math.sqrt(headDim));
        int group = nHeads / nKvHeads;
        int kvStride = nKvHeads * headDim;
        parallelFor(nTokens * nHeads, i -> {
            int t = i / nHeads, h = i % nHeads;
            int qOff = (t * nHeads + h) * headDim;
            int base = h / group * headDim;
            java.util.Arrays.fill(out, qOff, qOff + headDim, 0f);
            float max = Float.NEGATIVE_INFINITY, sum = 0f;
            for (int j = 0; j <= pos0 + t; j++) {
                int kOff = base + j * kvStride;
                float s = 0f;
                for (int d = 0; d < headDim; d++) s += q[qOff + d] * k[kOff + d];
                s *= scale;
                if (s > max) {
                    float r = dev.windowkv.kernels.KMath.exp(max - s);
                    sum *= r;
                    for (int d = 0; d < headDim; d++) out[qOff + d] *= r;
                    max = s;
                }
                float p = dev.windowkv.kernels.KMath.exp(s - max);
                sum += p;
                for (int d = 0; d < headDim; d++) out[qOff + d] += p * v[kOff + d];
            }
            float inv = 1f / sum;
            for (int d = 0; d < headDim; d++) out[qOff + d] *= inv;
        });
    }

    /**
     * {@link #attentionPrefill(float[], float[], float[], float[], int, int, int, int, int)} over keys and
     * values that a FullKV prefill writes straight into an F32 KV cache layer ({@code KvCache.keys}):
     * {@code [kvHead][capacity][headDim]} floats, key {@code j} of KV head {@code kvh} at float
     * {@code (kvh * capacity + j) * headDim}, rows {@code 0 .. pos0 + nTokens - 1} valid. The default
     * copies them into the prompt's layout on the heap and runs the array form.
     */
    default void attentionPrefill(float[] q, java.lang.foreign.MemorySegment k, java.lang.foreign.MemorySegment v,
                                  int capacity, float[] out, int nTokens, int pos0, int nHeads, int nKvHeads, int headDim) {
        int keys = pos0 + nTokens;
        float[] ka = new float[keys * nKvHeads * headDim], va = new float[ka.length];
        for (int kvh = 0; kvh < nKvHeads; kvh++) {
            for (int j = 0; j < keys; j++) {
                long from = ((long) kvh * capacity + j) * headDim * Float.BYTES;
                int to = (j * nKvHeads + kvh) * headDim;
                java.lang.foreign.MemorySegment.copy(k, java.lang.foreign.ValueLayout.JAVA_FLOAT, from, ka, to, headDim);
                java.lang.foreign.MemorySegment.copy(v, java.lang.foreign.ValueLayout.JAVA_FLOAT, from, va, to, headDim);
            }
        }
        attentionPrefill(q, ka, va, out, nTokens, pos0, nHeads, nKvHeads, headDim);
    }

    /** One query token's attention over the cached keys/values of one layer. */
    void attentionDecode(float[] q, KvCache cache, int layer, float[] out, int nHeads);

    /** gate = silu(gate) * up over {@code nTokens} rows of {@code dim}. */
    void swiglu(float[] gate, float[] up, int nTokens, int dim);

    /**
     * The attention mass each key {@code j < keyCount} receives from query head {@code h}, summed over
     * the queries {@code firstQuery..n-1}: {@code a[h][j]} laid out {@code [nHeads][keyCount]}.
     * Queries at or after {@code causalFrom} see keys {@code j <= i}, earlier ones every key. This is
     * what H2O (all queries) and the observation-window methods score tokens by.
     */
    default float[] attentionMass(float[] q, float[] k, int n, int nHeads, int nKvHeads, int headDim,
                                  int firstQuery, int causalFrom, int keyCount) {
        float scale = (float) (1.0 / Math.sqrt(headDim));
        int rows = nHeads * (n - firstQuery);
        float[] rowMax = new float[rows];
        float[] rowSum = new float[rows];
        float[] a = new float[nHeads * keyCount];
        if (rows == 0 || keyCount == 0) return a;
        parallelFor(rows, item -> ObservationScores.rowStats(item, q, k, n, nHeads, nKvHeads, headDim,
                firstQuery, causalFrom, scale, rowMax, rowSum));
        parallelFor(nHeads * keyCount, item -> ObservationScores.accumulate(item, q, k, n, nHeads, nKvHeads,
                headDim, firstQuery, causalFrom, scale, rowMax, rowSum, keyCount, a));
        return a;
    }

    /**
     * {@link #attentionMass(float[], float[], int, int, int, int, int, int, int)} when {@code q}
     * holds only the queries from row {@code queryFrom} on (query {@code i} at row
     * {@code i - queryFrom}), as a chunked prefill keeps them: {@code firstQuery >= queryFrom}.
     * The default for {@code queryFrom > 0} is the scalar two-pass softmax, one work item per head.
     */
    default float[] attentionMass(float[] q, int queryFrom, float[] k, int n, int nHeads, int nKvHeads, int headDim,
                                  int firstQuery, int causalFrom, int keyCount) {
        if (queryFrom == 0) {
            return attentionMass(q, k, n, nHeads, nKvHeads, headDim, firstQuery, causalFrom, keyCount);
        }
        if (firstQuery < queryFrom) {
            throw new IllegalArgumentException("query " + firstQuery + " is before the first kept query " + queryFrom);
        }
        float scale = (float) (1.0 / Math.sqrt(headDim));
        int group = nHeads / nKvHeads;
        int kvStride = nKvHeads * headDim;
        float[] a = new float[nHeads * keyCount];
        if (n - firstQuery <= 0 || keyCount == 0) return a;
        parallelFor(nHeads, h -> {
            float[] row = new float[n];
            int base = h / group * headDim;
            for (int i = firstQuery; i < n; i++) {
                int keys = i >= causalFrom ? i + 1 : n;
                int qOff = ((i - queryFrom) * nHeads + h) * headDim;
                float max = -Float.MAX_VALUE;
                for (int j = 0; j < keys; j++) {
                    float s = 0f;
                    for (int d = 0; d < headDim; d++) s += q[qOff + d] * k[base + j * kvStride + d];
                    row[j] = s * scale;
                    max = Math.max(max, row[j]);
                }
                float sum = 0f;
                for (int j = 0; j < keys; j++) {
                    row[j] = (float) Math.exp(row[j] - max);
                    sum += row[j];
                }
                float inv = 1f / sum;
                for (int j = 0; j < Math.min(keys, keyCount); j++) a[h * keyCount + j] += row[j] * inv;
            }
        });
        return a;
    }

    /**
     * WindowKV's window order for a group leader (spec §1.9), computed where the scores are, or null
     * (the default): the policy then scores, pools and sorts on the host. The queries
     * {@code review..n-1} (the suffix) score the keys {@code 0..review-1}; windows of
     * {@code windowSize} are pooled by the mean of the top {@code topM} per head ({@code max}) or,
     * with {@code topM = 0}, by the plain mean ({@code average}); the result lists every window by
     * descending score, ties to the lower window.
     */
    default int[] windowOrder(float[] q, float[] k, int n, int nHeads, int nKvHeads, int headDim, int review,
                              int windowSize, int topM) {
        return null;
    }

    /**
     * A decode that runs whole layers on a device for this model, a freshly sized cache and a prompt
     * of {@code promptLength} tokens, or null (the default): the transformer then decodes op by op
     * through this backend.
     */
    default DeviceDecoder deviceDecoder(dev.windowkv.engine.model.Model model, KvCache cache, int promptLength) {
        return null;
    }

    /**
     * A handle for a prefill of {@code promptLength} tokens that keeps its keys and values on the
     * device for several restores ({@link DeviceCapture}), each into an F32 cache of at most
     * {@code capacity[l]} slots in layer l; or null (the default): the prefill's keys and values come
     * back to the host, and each restore fills its cache from there.
     */
    default DeviceCapture deviceCapture(dev.windowkv.engine.model.Model model, int promptLength, int[] capacity) {
        return null;
    }

    /**
     * {@link #deviceDecoder(dev.windowkv.engine.model.Model, KvCache, int)} for a restore of a prefill
     * this backend kept on the device ({@code capture}, from {@link #deviceCapture}): the decoder
     * compacts the kept tokens from the keys and values there (its {@link DeviceDecoder#compact}
     * then takes null keys/values). It throws an {@code IllegalStateException} when that prefill's
     * keys and values are gone (another prompt prefilled where they were) or the cache does not fit
     * what the capture was sized for.
     */
    default DeviceDecoder deviceDecoder(dev.windowkv.engine.model.Model model, KvCache cache, int promptLength,
                                        DeviceCapture capture) {
        throw new IllegalStateException(name() + " kept no prefill on a device");
    }

    /**
     * The whole prefill of {@code tokens} (ids already checked) on a device: hands every layer's
     * post-RoPE queries and keys/values to {@code sink}, as {@code Transformer.prefill} does, and
     * returns the last token's logits; or null (the default), and the transformer prefills op by op
     * through this backend.
     */
    default float[] prefill(dev.windowkv.engine.model.Model model, int[] tokens,
                            dev.windowkv.engine.model.Transformer.LayerSink sink) {
        return null;
    }

    /** What this backend moved to and from a device and launched there so far, or null (the default: no device). */
    default DeviceCounters deviceCounters() {
        return null;
    }

    /**
     * Turns the device's kernel profiler on or off for the device work that follows: every plan open
     * now and every plan opened later, so all graphs of a token run alike. With it on, the counters
     * get kernel times (and the profiler's byte counts); TornadoVM then waits for every kernel to read
     * its time, which a user's decode, run without it, does not pay. Returns false, changing nothing,
     * for a backend without a device profiler (the default).
     */
    default boolean profileKernels(boolean on) {
        return false;
    }

    /** Whether the device work runs with the kernel profiler now ({@link #profileKernels}); false without a device. */
    default boolean kernelsProfiled() {
        return false;
    }

    @Override
    default void close() {}
}
