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
 * {@code MatmulTile.THREADS} threads per 16 rows × 16 tokens, the weight dequantized inside the tile.
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
        float[] wTile = ctx.allocateFloatLocalArray(MatmulTile.ROWS * MatmulTile.COLS);
        float[] xTile = ctx.allocateFloatLocalArray(MatmulTile.TOKENS * MatmulTile.COLS);
        int lid = ctx.localIdx;
        int rowTiles = MatmulTile.rowTiles(rows);
        int r0 = ctx.groupIdx % rowTiles * MatmulTile.ROWS;
        int t0 = ctx.groupIdx / rowTiles * MatmulTile.TOKENS;
        int n = count[0];
        if (t0 < n) { // the same for the whole group, so every thread meets the barriers
            int wRow = MatmulTile.row(lid) * MatmulTile.COLS;
            int xRow = MatmulTile.token(lid) * MatmulTile.COLS;
            float acc = 0f;
            for (int s = 0; s < MatmulTile.steps(cols); s++) {
                for (int i = 0; i < MatmulTile.PER_THREAD; i++) {
                    int e = lid * MatmulTile.PER_THREAD + i;
                    wTile[e] = MatmulTile.q8_0(w, rowBytes, rows, r0, s, e);
                    xTile[e] = MatmulTile.x(x, cols, n, t0, s, e);
                }
                ctx.localBarrier();
                for (int j = 0; j < MatmulTile.COLS; j++) acc += wTile[wRow + j] * xTile[xRow + j];
                ctx.localBarrier();
            }
            store(out, rows, n, r0, t0, lid, acc, add);
            ctx.localBarrier(); // PoCL: see the class comment
        }
    }

    static void q4_0(KernelContext ctx, byte[] w, float[] x, float[] out, int rows, int cols, int rowBytes, int[] count,
                     int add) {
        float[] wTile = ctx.allocateFloatLocalArray(MatmulTile.ROWS * MatmulTile.COLS);
        float[] xTile = ctx.allocateFloatLocalArray(MatmulTile.TOKENS * MatmulTile.COLS);
        int lid = ctx.localIdx;
        int rowTiles = MatmulTile.rowTiles(rows);
        int r0 = ctx.groupIdx % rowTiles * MatmulTile.ROWS;
        int t0 = ctx.groupIdx / rowTiles * MatmulTile.TOKENS;
        int n = count[0];
        if (t0 < n) {
            int wRow = MatmulTile.row(lid) * MatmulTile.COLS;
            int xRow = MatmulTile.token(lid) * MatmulTile.COLS;
            float acc = 0f;
            for (int s = 0; s < MatmulTile.steps(cols); s++) {
                for (int i = 0; i < MatmulTile.PER_THREAD; i++) {
                    int e = lid * MatmulTile.PER_THREAD + i;
                    wTile[e] = MatmulTile.q4_0(w, rowBytes, rows, r0, s, e);
                    xTile[e] = MatmulTile.x(x, cols, n, t0, s, e);
                }
                ctx.localBarrier();
                for (int j = 0; j < MatmulTile.COLS; j++) acc += wTile[wRow + j] * xTile[xRow + j];
                ctx.localBarrier();
            }
            store(out, rows, n, r0, t0, lid, acc, add);
            ctx.localBarrier(); // PoCL: see the class comment
        }
    }

    static void f16(KernelContext ctx, byte[] w, float[] x, float[] out, int rows, int cols, int rowBytes, int[] count,
                    int add) {
        float[] wTile = ctx.allocateFloatLocalArray(MatmulTile.ROWS * MatmulTile.COLS);
        float[] xTile = ctx.allocateFloatLocalArray(MatmulTile.TOKENS * MatmulTile.COLS);
        int lid = ctx.localIdx;
        int rowTiles = MatmulTile.rowTiles(rows);
        int r0 = ctx.groupIdx % rowTiles * MatmulTile.ROWS;
        int t0 = ctx.groupIdx / rowTiles * MatmulTile.TOKENS;
        int n = count[0];
        if (t0 < n) {
            int wRow = MatmulTile.row(lid) * MatmulTile.COLS;
            int xRow = MatmulTile.token(lid) * MatmulTile.COLS;
            float acc = 0f;
            for (int s = 0; s < MatmulTile.steps(cols); s++) {
                for (int i = 0; i < MatmulTile.PER_THREAD; i++) {
                    int e = lid * MatmulTile.PER_THREAD + i;
                    wTile[e] = MatmulTile.f16(w, rowBytes, rows, cols, r0, s, e);
                    xTile[e] = MatmulTile.x(x, cols, n, t0, s, e);
                }
                ctx.localBarrier();
                for (int j = 0; j < MatmulTile.COLS; j++) acc += wTile[wRow + j] * xTile[xRow + j];
                ctx.localBarrier();
            }
            store(out, rows, n, r0, t0, lid, acc, add);
            ctx.localBarrier(); // PoCL: see the class comment
        }
    }

    /** F32 weights arrive decoded to floats ({@code DeviceWeight}); {@code rowBytes} is unused. */
    static void f32(KernelContext ctx, float[] w, float[] x, float[] out, int rows, int cols, int rowBytes, int[] count,
                    int add) {
        float[] wTile = ctx.allocateFloatLocalArray(MatmulTile.ROWS * MatmulTile.COLS);
        float[] xTile = ctx.allocateFloatLocalArray(MatmulTile.TOKENS * MatmulTile.COLS);
        int lid = ctx.localIdx;
        int rowTiles = MatmulTile.rowTiles(rows);
        int r0 = ctx.groupIdx % rowTiles * MatmulTile.ROWS;
        int t0 = ctx.groupIdx / rowTiles * MatmulTile.TOKENS;
        int n = count[0];
        if (t0 < n) {
            int wRow = MatmulTile.row(lid) * MatmulTile.COLS;
            int xRow = MatmulTile.token(lid) * MatmulTile.COLS;
            float acc = 0f;
            for (int s = 0; s < MatmulTile.steps(cols); s++) {
                for (int i = 0; i < MatmulTile.PER_THREAD; i++) {
                    int e = lid * MatmulTile.PER_THREAD + i;
                    wTile[e] = MatmulTile.f32(w, rows, cols, r0, s, e);
                    xTile[e] = MatmulTile.x(x, cols, n, t0, s, e);
                }
                ctx.localBarrier();
                for (int j = 0; j < MatmulTile.COLS; j++) acc += wTile[wRow + j] * xTile[xRow + j];
                ctx.localBarrier();
            }
            store(out, rows, n, r0, t0, lid, acc, add);
            ctx.localBarrier(); // PoCL: see the class comment
        }
    }

    private static void store(float[] out, int rows, int n, int r0, int t0, int lid, float acc, int add) {
        int r = r0 + MatmulTile.row(lid);
        int t = t0 + MatmulTile.token(lid);
        if (r < rows && t < n) {
            int i = t * rows + r;
            out[i] = add == 1 ? out[i] + acc : acc;
        }
    }
}
