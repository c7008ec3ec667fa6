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

    /** Causal self-attention of a block of tokens over itself (the prefill). */
    void attentionPrefill(float[] q, float[] k, float[] v, float[] out, int nTokens, int nHeads, int nKvHeads, int headDim);

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

    @Override
    default void close() {}
}
