package dev.windowkv.engine.backend.tornado;

import dev.windowkv.kernels.KMath;
import dev.windowkv.kernels.Rope;
import dev.windowkv.kernels.SwiGlu;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.WorkerGrid1D;
import uk.ac.manchester.tornado.api.annotations.Parallel;

/**
 * RMSNorm, RoPE and SwiGLU over a block of prompt tokens, for the device prefill. The block may be a
 * bucket of {@code nTokens} rows of which the first {@code count[0]} are real: padded rows are
 * neither read nor written, so one compiled plan serves every prompt length of its bucket.
 * <ul>
 *   <li>{@link #rmsnorm}: one work-group of {@link #NORM_THREADS} threads per token, the sum of
 *       squares reduced in local memory (a token's {@code dim} values are then read by many threads
 *       at once, not by one); wire it with {@link #rmsnormTask}, which adds its grid;</li>
 *   <li>{@link #rope}: one work item per (token, head), {@code Rope.norm}/{@code neox} at position
 *       {@code at[0] + t}; {@link #swiglu}: one work item per element. Both are {@code @Parallel}
 *       loops and need no grid.</li>
 * </ul>
 */
final class TokenBlockKernels {
    private TokenBlockKernels() {}

    /** Threads per token in {@link #rmsnorm}: a power of two for the tree reduction. */
    static final int NORM_THREADS = 128;

    /** Adds out[t] = RMSNorm(x[t]) · weight for t &lt; count[0] ≤ nTokens, with its grid. */
    static void rmsnormTask(TaskGraph g, GridScheduler grid, String name, float[] out, float[] x, float[] weight,
                            int nTokens, int dim, float eps, int[] count) {
        g.task(name, TokenBlockKernels::rmsnorm, new KernelContext(), out, x, weight, dim, eps, count);
        WorkerGrid wg = new WorkerGrid1D(nTokens * NORM_THREADS);
        wg.setLocalWork(NORM_THREADS, 1, 1);
        grid.addWorkerGrid(g.getTaskGraphName() + "." + name, wg);
    }

    /**
     * {@code RmsNorm.token} with the sum of squares split over the group's threads. Ends with a
     * barrier after its writes (PoCL 3, see TiledMatmul); the local array is indexed here only.
     */
    static void rmsnorm(KernelContext ctx, float[] out, float[] x, float[] weight, int dim, float eps, int[] count) {
        float[] partial = ctx.allocateFloatLocalArray(NORM_THREADS);
        int lid = ctx.localIdx;
        int t = ctx.groupIdx;
        if (t < count[0]) { // the same for the whole group
            int off = t * dim;
            float ss = 0f;
            for (int i = lid; i < dim; i += NORM_THREADS) {
                float v = x[off + i];
                ss += v * v;
            }
            partial[lid] = ss;
            ctx.localBarrier();
            for (int stride = NORM_THREADS / 2; stride > 0; stride /= 2) {
                if (lid < stride) {
                    partial[lid] += partial[lid + stride];
                }
                ctx.localBarrier();
            }
            float scale = 1f / KMath.sqrt(partial[0] / dim + eps);
            for (int i = lid; i < dim; i += NORM_THREADS) {
                out[off + i] = x[off + i] * scale * weight[i];
            }
            ctx.localBarrier();
        }
    }

    /** Token t of the block is at position {@code at[0] + t}; {@code neox} is 1 for NEOX, 0 for NORM. */
    static void rope(float[] x, int nTokens, int nHeads, int headDim, int[] at, float[] invFreq, int neox, int[] count) {
        for (@Parallel int i = 0; i < nTokens * nHeads; i++) {
            int t = i / nHeads;
            if (t < count[0]) {
                if (neox == 1) {
                    Rope.neox(x, i * headDim, headDim, at[0] + t, invFreq);
                } else {
                    Rope.norm(x, i * headDim, headDim, at[0] + t, invFreq);
                }
            }
        }
    }

    /** gate = silu(gate) · up over the real tokens' {@code dim} values each. */
    static void swiglu(float[] gate, float[] up, int nTokens, int dim, int[] count) {
        for (@Parallel int i = 0; i < nTokens * dim; i++) {
            if (i < count[0] * dim) {
                SwiGlu.row(gate, up, i, 1);
            }
        }
    }
}
