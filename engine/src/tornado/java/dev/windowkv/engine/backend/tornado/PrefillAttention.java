package dev.windowkv.engine.backend.tornado;

import dev.windowkv.kernels.KMath;
import dev.windowkv.kernels.tile.FlashAttention;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.WorkerGrid1D;

/**
 * Causal GQA prefill attention on the device with online softmax over key blocks
 * ({@code FlashAttention}): one work-group of {@code FlashAttention.QUERIES} threads per (query
 * block, head), the block's keys and values staged in local memory. {@code n} may be a bucket
 * size: the real length is {@code length[0]}; padded queries are not written, padded keys not read.
 *
 * <p>Wiring: {@link #task} adds the task and its {@code WorkerGrid1D} (global
 * {@code FlashAttention.groups(n, nHeads) · QUERIES}, local {@code QUERIES}) to a grid scheduler;
 * q, k, v and length must be declared in the graph. headDim is at most {@code FlashAttention.MAX_HEAD_DIM}.
 */
final class PrefillAttention {
    private PrefillAttention() {}

    static void task(TaskGraph g, GridScheduler grid, String name, float[] q, float[] k, float[] v, float[] out,
                     int[] length, int n, int nHeads, int nKvHeads, int headDim) {
        if (headDim > FlashAttention.MAX_HEAD_DIM) {
            throw new IllegalArgumentException("head dimension " + headDim + " is over " + FlashAttention.MAX_HEAD_DIM);
        }
        float scale = (float) (1.0 / Math.sqrt(headDim));
        g.task(name, PrefillAttention::causal, new KernelContext(), q, k, v, out, length, nHeads, nKvHeads, headDim,
                scale);
        WorkerGrid wg = new WorkerGrid1D(FlashAttention.groups(n, nHeads) * FlashAttention.QUERIES);
        wg.setLocalWork(FlashAttention.QUERIES, 1, 1);
        grid.addWorkerGrid(g.getTaskGraphName() + "." + name, wg);
    }

    /**
     * The kernel. The local arrays are indexed here only (TornadoVM 5.2.0 mis-addresses one passed
     * to another method), and it ends with a barrier after the guarded writes (PoCL 3 otherwise
     * drops work-items after the first that returns; see TiledMatmul).
     */
    static void causal(KernelContext ctx, float[] q, float[] k, float[] v, float[] out, int[] length, int nHeads,
                       int nKvHeads, int headDim, float scale) {
        float[] kTile = ctx.allocateFloatLocalArray(FlashAttention.KEYS * FlashAttention.MAX_HEAD_DIM);
        float[] vTile = ctx.allocateFloatLocalArray(FlashAttention.KEYS * FlashAttention.MAX_HEAD_DIM);
        int lid = ctx.localIdx;
        int h = ctx.groupIdx % nHeads;
        int q0 = ctx.groupIdx / nHeads * FlashAttention.QUERIES;
        int n = length[0];
        if (q0 < n) { // the same for the whole group, so every thread meets the barriers
            int t = q0 + lid;
            int kvHead = h / (nHeads / nKvHeads);
            int off = (t * nHeads + h) * headDim;
            boolean real = t < n;
            if (real) {
                for (int d = 0; d < headDim; d++) out[off + d] = 0f;
            }
            float max = Float.NEGATIVE_INFINITY;
            float sum = 0f;
            int last = FlashAttention.lastKey(q0, n);
            for (int k0 = 0; k0 <= last; k0 += FlashAttention.KEYS) {
                for (int e = lid; e < FlashAttention.KEYS * headDim; e += FlashAttention.QUERIES) {
                    kTile[e] = FlashAttention.staged(k, n, nKvHeads, headDim, kvHead, k0, e);
                    vTile[e] = FlashAttention.staged(v, n, nKvHeads, headDim, kvHead, k0, e);
                }
                ctx.localBarrier();
                int count = real ? FlashAttention.keysFor(t, k0) : 0;
                for (int j = 0; j < count; j++) { // Attention.attend's steps, key by key
                    int kOff = j * headDim;
                    float s = 0f;
                    for (int d = 0; d < headDim; d++) s += q[off + d] * kTile[kOff + d];
                    s *= scale;
                    if (s > max) {
                        float r = KMath.exp(max - s);
                        sum *= r;
                        for (int d = 0; d < headDim; d++) out[off + d] *= r;
                        max = s;
                    }
                    float p = KMath.exp(s - max);
                    sum += p;
                    for (int d = 0; d < headDim; d++) out[off + d] += p * vTile[kOff + d];
                }
                ctx.localBarrier();
            }
            if (real) {
                float inv = 1f / sum;
                for (int d = 0; d < headDim; d++) out[off + d] *= inv;
            }
            ctx.localBarrier();
        }
    }
}
