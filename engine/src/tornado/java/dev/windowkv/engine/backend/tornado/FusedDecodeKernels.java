package dev.windowkv.engine.backend.tornado;

import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.kernels.tile.FusedDecode;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.WorkerGrid1D;

/**
 * Fused decode kernels ({@code FusedDecode}): a layer's decode becomes
 * <ol>
 *   <li>{@link #normQkvRope}: attention RMSNorm + Q, K, V + RoPE + cache append (was 7 launches); it
 *       computes the cache slot from the token's position, which took a task of its own before;</li>
 *   <li>attention, split-K ({@code LayerKernels.attentionPartial}, {@code attentionCombine}: 2 launches);</li>
 *   <li>output projection + residual ({@code DeviceWeight.residualTask});</li>
 *   <li>{@link #normGateUpSwiglu}: FFN RMSNorm + gate, up + SwiGLU (was 4);</li>
 *   <li>down projection + residual ({@code DeviceWeight.residualTask});</li>
 * </ol>
 * 6 launches instead of 15. Each kernel recomputes the token's norm scale per work-group, so no
 * global synchronisation is needed between norm and matmul. The weights of a fused kernel share one type, Q8_0, Q4_0 or F16
 * ({@link #fusable}); otherwise keep the unfused tasks.
 *
 * <p>Wiring: {@link #normQkvRopeTask} and {@link #normGateUpSwigluTask} add the task and its
 * {@code WorkerGrid1D} (global: the work items rounded up to {@code FusedDecode.THREADS}, local
 * {@code THREADS}) to a grid scheduler. Cache layout as {@code KvCompaction.appendF32}:
 * {@code [kvHead][capacity][headDim]}; the token's position is {@code step[0]} ({@code step = {position,
 * token}}) and its slot {@code base[0] + step[0] - base[1]} ({@code base = {kept prompt tokens, prompt
 * length}}), both arrays already on the device.
 */
final class FusedDecodeKernels {
    private FusedDecodeKernels() {}

    /** The fused kernels' type code for these weights, or -1 if they cannot share a fused kernel. */
    static int fusable(DeviceWeight... ws) {
        GGMLType t = ws[0].type();
        for (DeviceWeight w : ws) {
            if (w.type() != t) return -1;
        }
        return switch (t) {
            case Q8_0 -> FusedDecode.Q8_0;
            case Q4_0 -> FusedDecode.Q4_0;
            case F16 -> FusedDecode.F16;
            default -> -1;
        };
    }

    static void normQkvRopeTask(TaskGraph g, GridScheduler grid, String name, float[] x, float[] attnNorm,
                                DeviceWeight wq, DeviceWeight wk, DeviceWeight wv, float[] q, float[] kCache,
                                float[] vCache, int[] step, int[] base, float[] invFreq, float eps, int nHeads,
                                int nKvHeads, int headDim, int capacity, boolean neox) {
        int type = fusable(wq, wk, wv);
        if (type < 0) {
            throw new IllegalArgumentException("Q, K and V are " + wq.type() + "/" + wk.type() + "/" + wv.type()
                    + "; the fused kernel takes one of Q8_0, Q4_0, F16 for all three");
        }
        g.task(name, FusedDecodeKernels::normQkvRope, new KernelContext(), x, attnNorm, (byte[]) wq.data(),
                (byte[]) wk.data(), (byte[]) wv.data(), q, kCache, vCache, step, base, invFreq, wq.cols(), eps, nHeads,
                nKvHeads, headDim, capacity, neox ? 1 : 0, type);
        grid.addWorkerGrid(g.getTaskGraphName() + "." + name, workers((nHeads + 2 * nKvHeads) * headDim / 2));
    }

    static void normGateUpSwigluTask(TaskGraph g, GridScheduler grid, String name, float[] x, float[] ffnNorm,
                                     DeviceWeight gate, DeviceWeight up, float[] hb, float eps) {
        int type = fusable(gate, up);
        if (type < 0) {
            throw new IllegalArgumentException("gate and up are " + gate.type() + "/" + up.type()
                    + "; the fused kernel takes one of Q8_0, Q4_0, F16 for both");
        }
        g.task(name, FusedDecodeKernels::normGateUpSwiglu, new KernelContext(), x, ffnNorm, (byte[]) gate.data(),
                (byte[]) up.data(), hb, gate.cols(), gate.rows(), eps, type);
        grid.addWorkerGrid(g.getTaskGraphName() + "." + name, workers(gate.rows()));
    }

    private static WorkerGrid workers(int items) {
        WorkerGrid wg = new WorkerGrid1D(Math.ceilDiv(items, FusedDecode.THREADS) * FusedDecode.THREADS);
        wg.setLocalWork(FusedDecode.THREADS, 1, 1);
        return wg;
    }

    /**
     * One work item per RoPE pair of rows of Q, then K, then V (V's pairs are just two rows): two
     * normed dot products, rotated at position {@code step[0]} for Q and K; Q goes to {@code q}, K and
     * V to cache slot {@code base[0] + step[0] - base[1]}, computed here so that no task of its own
     * (one launch per layer and token) has to. The local array is indexed here only (see
     * MatmulTile), and the kernel ends with a barrier after its guarded writes (PoCL 3, see TiledMatmul).
     */
    static void normQkvRope(KernelContext ctx, float[] x, float[] norm, byte[] wq, byte[] wk, byte[] wv, float[] q,
                            float[] kCache, float[] vCache, int[] step, int[] base, float[] invFreq, int dim, float eps,
                            int nHeads, int nKvHeads, int headDim, int capacity, int neox, int type) {
        float[] partial = ctx.allocateFloatLocalArray(FusedDecode.THREADS);
        int lid = ctx.localIdx;
        float ss = 0f;
        for (int i = lid; i < dim; i += FusedDecode.THREADS) ss += x[i] * x[i];
        partial[lid] = ss;
        ctx.localBarrier();
        for (int stride = FusedDecode.THREADS / 2; stride > 0; stride /= 2) {
            if (lid < stride) {
                partial[lid] += partial[lid + stride];
            }
            ctx.localBarrier();
        }
        float scale = FusedDecode.normScale(partial[0], dim, eps);
        int half = headDim / 2;
        int p = ctx.globalIdx;
        int slotHead = p / half; // Q heads, then K heads, then V heads
        int i = p % half;
        int pos = step[0];
        int cacheSlot = base[0] + step[0] - base[1];
        if (slotHead < nHeads) {
            int a = FusedDecode.pairFirst(slotHead * headDim, i, headDim, neox);
            int b = FusedDecode.pairSecond(slotHead * headDim, i, headDim, neox);
            float va = FusedDecode.normedDot(type, wq, a, dim, x, scale, norm);
            float vb = FusedDecode.normedDot(type, wq, b, dim, x, scale, norm);
            q[a] = FusedDecode.rotatedFirst(va, vb, pos, invFreq[i]);
            q[b] = FusedDecode.rotatedSecond(va, vb, pos, invFreq[i]);
        } else if (slotHead < nHeads + nKvHeads) {
            int kvh = slotHead - nHeads;
            int a = FusedDecode.pairFirst(kvh * headDim, i, headDim, neox);
            int b = FusedDecode.pairSecond(kvh * headDim, i, headDim, neox);
            float va = FusedDecode.normedDot(type, wk, a, dim, x, scale, norm);
            float vb = FusedDecode.normedDot(type, wk, b, dim, x, scale, norm);
            int slot = (kvh * capacity + cacheSlot) * headDim - kvh * headDim;
            kCache[slot + a] = FusedDecode.rotatedFirst(va, vb, pos, invFreq[i]);
            kCache[slot + b] = FusedDecode.rotatedSecond(va, vb, pos, invFreq[i]);
        } else if (slotHead < nHeads + 2 * nKvHeads) {
            int kvh = slotHead - nHeads - nKvHeads;
            int a = FusedDecode.pairFirst(kvh * headDim, i, headDim, neox);
            int b = FusedDecode.pairSecond(kvh * headDim, i, headDim, neox);
            int slot = (kvh * capacity + cacheSlot) * headDim - kvh * headDim;
            vCache[slot + a] = FusedDecode.normedDot(type, wv, a, dim, x, scale, norm);
            vCache[slot + b] = FusedDecode.normedDot(type, wv, b, dim, x, scale, norm);
        }
        ctx.localBarrier();
    }

    /** One work item per FFN row: hb[r] = silu(gate[r] · n) · (up[r] · n), n the normed x. */
    static void normGateUpSwiglu(KernelContext ctx, float[] x, float[] norm, byte[] gate, byte[] up, float[] hb, int dim,
                                 int ffnDim, float eps, int type) {
        float[] partial = ctx.allocateFloatLocalArray(FusedDecode.THREADS);
        int lid = ctx.localIdx;
        float ss = 0f;
        for (int i = lid; i < dim; i += FusedDecode.THREADS) ss += x[i] * x[i];
        partial[lid] = ss;
        ctx.localBarrier();
        for (int stride = FusedDecode.THREADS / 2; stride > 0; stride /= 2) {
            if (lid < stride) {
                partial[lid] += partial[lid + stride];
            }
            ctx.localBarrier();
        }
        float scale = FusedDecode.normScale(partial[0], dim, eps);
        int r = ctx.globalIdx;
        if (r < ffnDim) {
            float g = FusedDecode.normedDot(type, gate, r, dim, x, scale, norm);
            float u = FusedDecode.normedDot(type, up, r, dim, x, scale, norm);
            hb[r] = FusedDecode.swiglu(g, u);
        }
        ctx.localBarrier();
    }
}
