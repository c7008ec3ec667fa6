package dev.windowkv.engine.backend.tornado;

import dev.windowkv.kernels.tile.MatmulTile;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.WorkerGrid1D;

/**
 * The batched prefill matmul {@code out[t][r] = W[r] · x[t]} (or {@code +=}, the residual form) as
 * tiles in local memory, {@code MatmulTile}'s steps between barriers: one work-group of
 * {@code MatmulTile.THREADS} threads per 32 rows × 32 tokens (a thread: one row, 4 tokens), the weight dequantized inside the tile.
 * {@code nTokens} may be a bucket size: the real count is {@code count[0]}; tokens past it are
 * neither read nor written, and a token tile wholly past it does nothing.
 *
 * <p>Wiring: {@link #task} adds the task and its {@code WorkerGrid1D} (global
 * {@code MatmulTile.groups(rows, nTokens) · THREADS}, local {@code THREADS}) to a grid scheduler;
 * pass that scheduler to the plan ({@code plan.withGraph(i).withGridScheduler(s)}, in that order).
 * The weight, x, count and (for the residual form) out must be declared in the graph.
 *
 * <p>Each kernel ends with a barrier after its guarded store: without it PoCL 3's vectorized
 * work-item loops left the loop at the first work-item that returned, so only the first 16
 * threads of a group stored their output.
 */
final class TiledMatmul {
    private TiledMatmul() {}

    /** Adds out[t][r] (+)= W[r] · x[t] for t &lt; count[0] ≤ nTokens to {@code g}, and its grid to {@code grid}. */
    static void task(TaskGraph g, GridScheduler grid, String name, DeviceWeight w, float[] x, float[] out, int nTokens,
                     int[] count, boolean residual) {
        int add = residual ? 1 : 0;
        KernelContext ctx = new KernelContext();
        int rows = w.rows(), cols = w.cols(), rowBytes = w.rowBytes();
        switch (w.type()) {
            case Q8_0 -> g.task(name, TiledMatmul::q8_0, ctx, (byte[]) w.data(), x, out, rows, cols, rowBytes, count, add);
            case Q4_0 -> g.task(name, TiledMatmul::q4_0, ctx, (byte[]) w.data(), x, out, rows, cols, rowBytes, count, add);
            case F16 -> g.task(name, TiledMatmul::f16, ctx, (byte[]) w.data(), x, out, rows, cols, rowBytes, count, add);
            case F32 -> g.task(name, TiledMatmul::f32, ctx, (float[]) w.data(), x, out, rows, cols, rowBytes, count, add);
            default -> throw new IllegalArgumentException("no tiled matmul for " + w.type());
        }
        grid.addWorkerGrid(g.getTaskGraphName() + "." + name, workers(rows, nTokens));
    }

    static WorkerGrid workers(int rows, int nTokens) {
        WorkerGrid wg = new WorkerGrid1D(MatmulTile.groups(rows, nTokens) * MatmulTile.THREADS);
        wg.setLocalWork(MatmulTile.THREADS, 1, 1);
        return wg;
    }

    // One kernel per weight type: they differ only in the staging call. add = 1 adds into out. The
    // local arrays are indexed here only: TornadoVM 5.2.0 mis-addresses a local array passed to
    // another method (see MatmulTile).

    static void q8_0(KernelContext ctx, byte[] w, float[] x, float[] out, int rows, int cols, int rowBytes, int[] count,
                     int add) {
        float[] wTile = ctx.allocateFloatLocalArray(MatmulTile.COLS * MatmulTile.ROWS);
        float[] xTile = ctx.allocateFloatLocalArray(MatmulTile.TOKENS * MatmulTile.COLS);
        int lid = ctx.localIdx;
        int rowTiles = MatmulTile.rowTiles(rows);
        int r0 = ctx.groupIdx % rowTiles * MatmulTile.ROWS;
        int t0 = ctx.groupIdx / rowTiles * MatmulTile.TOKENS;
        int n = count[0];
        if (t0 < n) { // the same for the whole group, so every thread meets the barriers
            int row = MatmulTile.row(lid);
            int x0 = MatmulTile.token(lid, 0) * MatmulTile.COLS, x1 = MatmulTile.token(lid, 1) * MatmulTile.COLS;
            int x2 = MatmulTile.token(lid, 2) * MatmulTile.COLS, x3 = MatmulTile.token(lid, 3) * MatmulTile.COLS;
            float acc0 = 0f, acc1 = 0f, acc2 = 0f, acc3 = 0f;
            for (int s = 0; s < MatmulTile.steps(cols); s++) {
                int e0 = lid * MatmulTile.PER_THREAD;
                float d = MatmulTile.q8_0Scale(w, rowBytes, rows, r0, s, e0);
                for (int i = 0; i < MatmulTile.PER_THREAD; i++) {
                    wTile[MatmulTile.wSlot(e0 + i)] = MatmulTile.q8_0(w, rowBytes, rows, r0, s, e0 + i, d);
                    xTile[e0 + i] = MatmulTile.x(x, cols, n, t0, s, e0 + i);
                }
                ctx.localBarrier();
                for (int j = 0; j < MatmulTile.COLS; j++) {
                    float wj = wTile[j * MatmulTile.ROWS + row];
                    acc0 += wj * xTile[x0 + j];
                    acc1 += wj * xTile[x1 + j];
                    acc2 += wj * xTile[x2 + j];
                    acc3 += wj * xTile[x3 + j];
                }
                ctx.localBarrier();
            }
            store(out, rows, n, r0 + row, t0 + MatmulTile.token(lid, 0), acc0, add);
            store(out, rows, n, r0 + row, t0 + MatmulTile.token(lid, 1), acc1, add);
            store(out, rows, n, r0 + row, t0 + MatmulTile.token(lid, 2), acc2, add);
            store(out, rows, n, r0 + row, t0 + MatmulTile.token(lid, 3), acc3, add);
            ctx.localBarrier(); // PoCL: see the class comment
        }
    }

    static void q4_0(KernelContext ctx, byte[] w, float[] x, float[] out, int rows, int cols, int rowBytes, int[] count,
                     int add) {
        float[] wTile = ctx.allocateFloatLocalArray(MatmulTile.COLS * MatmulTile.ROWS);
        float[] xTile = ctx.allocateFloatLocalArray(MatmulTile.TOKENS * MatmulTile.COLS);
        int lid = ctx.localIdx;
        int rowTiles = MatmulTile.rowTiles(rows);
        int r0 = ctx.groupIdx % rowTiles * MatmulTile.ROWS;
        int t0 = ctx.groupIdx / rowTiles * MatmulTile.TOKENS;
        int n = count[0];
        if (t0 < n) { // the same for the whole group, so every thread meets the barriers
            int row = MatmulTile.row(lid);
            int x0 = MatmulTile.token(lid, 0) * MatmulTile.COLS, x1 = MatmulTile.token(lid, 1) * MatmulTile.COLS;
            int x2 = MatmulTile.token(lid, 2) * MatmulTile.COLS, x3 = MatmulTile.token(lid, 3) * MatmulTile.COLS;
            float acc0 = 0f, acc1 = 0f, acc2 = 0f, acc3 = 0f;
            for (int s = 0; s < MatmulTile.steps(cols); s++) {
                int e0 = lid * MatmulTile.PER_THREAD;
                float d = MatmulTile.q4_0Scale(w, rowBytes, rows, r0, s, e0);
                for (int i = 0; i < MatmulTile.PER_THREAD; i++) {
                    wTile[MatmulTile.wSlot(e0 + i)] = MatmulTile.q4_0(w, rowBytes, rows, r0, s, e0 + i, d);
                    xTile[e0 + i] = MatmulTile.x(x, cols, n, t0, s, e0 + i);
                }
                ctx.localBarrier();
                for (int j = 0; j < MatmulTile.COLS; j++) {
                    float wj = wTile[j * MatmulTile.ROWS + row];
                    acc0 += wj * xTile[x0 + j];
                    acc1 += wj * xTile[x1 + j];
                    acc2 += wj * xTile[x2 + j];
                    acc3 += wj * xTile[x3 + j];
                }
                ctx.localBarrier();
            }
            store(out, rows, n, r0 + row, t0 + MatmulTile.token(lid, 0), acc0, add);
            store(out, rows, n, r0 + row, t0 + MatmulTile.token(lid, 1), acc1, add);
            store(out, rows, n, r0 + row, t0 + MatmulTile.token(lid, 2), acc2, add);
            store(out, rows, n, r0 + row, t0 + MatmulTile.token(lid, 3), acc3, add);
            ctx.localBarrier(); // PoCL: see the class comment
        }
    }

    static void f16(KernelContext ctx, byte[] w, float[] x, float[] out, int rows, int cols, int rowBytes, int[] count,
                    int add) {
        float[] wTile = ctx.allocateFloatLocalArray(MatmulTile.COLS * MatmulTile.ROWS);
        float[] xTile = ctx.allocateFloatLocalArray(MatmulTile.TOKENS * MatmulTile.COLS);
        int lid = ctx.localIdx;
        int rowTiles = MatmulTile.rowTiles(rows);
        int r0 = ctx.groupIdx % rowTiles * MatmulTile.ROWS;
        int t0 = ctx.groupIdx / rowTiles * MatmulTile.TOKENS;
        int n = count[0];
        if (t0 < n) { // the same for the whole group, so every thread meets the barriers
            int row = MatmulTile.row(lid);
            int x0 = MatmulTile.token(lid, 0) * MatmulTile.COLS, x1 = MatmulTile.token(lid, 1) * MatmulTile.COLS;
            int x2 = MatmulTile.token(lid, 2) * MatmulTile.COLS, x3 = MatmulTile.token(lid, 3) * MatmulTile.COLS;
            float acc0 = 0f, acc1 = 0f, acc2 = 0f, acc3 = 0f;
            for (int s = 0; s < MatmulTile.steps(cols); s++) {
                int e0 = lid * MatmulTile.PER_THREAD;
                for (int i = 0; i < MatmulTile.PER_THREAD; i++) {
                    wTile[MatmulTile.wSlot(e0 + i)] = MatmulTile.f16(w, rowBytes, rows, cols, r0, s, e0 + i);
                    xTile[e0 + i] = MatmulTile.x(x, cols, n, t0, s, e0 + i);
                }
                ctx.localBarrier();
                for (int j = 0; j < MatmulTile.COLS; j++) {
                    float wj = wTile[j * MatmulTile.ROWS + row];
                    acc0 += wj * xTile[x0 + j];
                    acc1 += wj * xTile[x1 + j];
                    acc2 += wj * xTile[x2 + j];
                    acc3 += wj * xTile[x3 + j];
                }
                ctx.localBarrier();
            }
            store(out, rows, n, r0 + row, t0 + MatmulTile.token(lid, 0), acc0, add);
            store(out, rows, n, r0 + row, t0 + MatmulTile.token(lid, 1), acc1, add);
            store(out, rows, n, r0 + row, t0 + MatmulTile.token(lid, 2), acc2, add);
            store(out, rows, n, r0 + row, t0 + MatmulTile.token(lid, 3), acc3, add);
            ctx.localBarrier(); // PoCL: see the class comment
        }
    }

    /** F32 weights arrive decoded to floats ({@code DeviceWeight}); {@code rowBytes} is unused. */
    static void f32(KernelContext ctx, float[] w, float[] x, float[] out, int rows, int cols, int rowBytes, int[] count,
                    int add) {
        float[] wTile = ctx.allocateFloatLocalArray(MatmulTile.COLS * MatmulTile.ROWS);
        float[] xTile = ctx.allocateFloatLocalArray(MatmulTile.TOKENS * MatmulTile.COLS);
        int lid = ctx.localIdx;
        int rowTiles = MatmulTile.rowTiles(rows);
        int r0 = ctx.groupIdx % rowTiles * MatmulTile.ROWS;
        int t0 = ctx.groupIdx / rowTiles * MatmulTile.TOKENS;
        int n = count[0];
        if (t0 < n) { // the same for the whole group, so every thread meets the barriers
            int row = MatmulTile.row(lid);
            int x0 = MatmulTile.token(lid, 0) * MatmulTile.COLS, x1 = MatmulTile.token(lid, 1) * MatmulTile.COLS;
            int x2 = MatmulTile.token(lid, 2) * MatmulTile.COLS, x3 = MatmulTile.token(lid, 3) * MatmulTile.COLS;
            float acc0 = 0f, acc1 = 0f, acc2 = 0f, acc3 = 0f;
            for (int s = 0; s < MatmulTile.steps(cols); s++) {
                int e0 = lid * MatmulTile.PER_THREAD;
                for (int i = 0; i < MatmulTile.PER_THREAD; i++) {
                    wTile[MatmulTile.wSlot(e0 + i)] = MatmulTile.f32(w, rows, cols, r0, s, e0 + i);
                    xTile[e0 + i] = MatmulTile.x(x, cols, n, t0, s, e0 + i);
                }
                ctx.localBarrier();
                for (int j = 0; j < MatmulTile.COLS; j++) {
                    float wj = wTile[j * MatmulTile.ROWS + row];
                    acc0 += wj * xTile[x0 + j];
                    acc1 += wj * xTile[x1 + j];
                    acc2 += wj * xTile[x2 + j];
                    acc3 += wj * xTile[x3 + j];
                }
                ctx.localBarrier();
            }
            store(out, rows, n, r0 + row, t0 + MatmulTile.token(lid, 0), acc0, add);
            store(out, rows, n, r0 + row, t0 + MatmulTile.token(lid, 1), acc1, add);
            store(out, rows, n, r0 + row, t0 + MatmulTile.token(lid, 2), acc2, add);
            store(out, rows, n, r0 + row, t0 + MatmulTile.token(lid, 3), acc3, add);
            ctx.localBarrier(); // PoCL: see the class comment
        }
    }

    private static void store(float[] out, int rows, int n, int r, int t, float acc, int add) {
        if (r < rows && t < n) {
            int i = t * rows + r;
            out[i] = add == 1 ? out[i] + acc : acc;
        }
    }
}
