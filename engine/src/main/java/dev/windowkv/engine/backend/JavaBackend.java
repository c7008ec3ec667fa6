package dev.windowkv.engine.backend;

import dev.windowkv.engine.kvcache.KvCache;
import dev.windowkv.engine.model.Weight;
import dev.windowkv.kernels.Attention;
import dev.windowkv.kernels.RmsNorm;
import dev.windowkv.kernels.Rope;
import dev.windowkv.kernels.SwiGlu;

import java.lang.foreign.ValueLayout;
import java.util.function.IntConsumer;

/**
 * The Java backends: every op loops over the work items of a {@code tornado-kernels} body.
 * Subclasses choose how the loop is spread and may replace the hot ops (matmul) with SIMD paths.
 *
 * <p>The reference kernels take weights as {@code byte[]}, as TornadoVM needs; here weights stay
 * memory-mapped and each row is staged into a small per-thread buffer just before its dot products.
 */
public abstract class JavaBackend implements Backend {
    private final WorkerPool pool;
    private final ThreadLocal<byte[]> rowBuffer = ThreadLocal.withInitial(() -> new byte[1 << 16]);

    protected JavaBackend(int threads) {
        this.pool = new WorkerPool(Math.max(1, threads));
    }

    @Override
    public int threads() {
        return pool.size();
    }

    @Override
    public void parallelFor(int n, IntConsumer body) {
        pool.run(n, body);
    }

    /** Rows per work item of a matmul: enough to amortise the loop hand-off, few enough to balance. */
    protected static int rowBlock(int rows) {
        return Math.max(1, Math.min(64, rows / 64));
    }

    @Override
    public void matmul(Weight w, float[] x, int nTokens, float[] out) {
        int rows = w.rows();
        int cols = w.cols();
        int block = rowBlock(rows);
        int blocks = (rows + block - 1) / block;
        parallelFor(blocks, b -> {
            byte[] buf = stage(w.rowBytes());
            int end = Math.min(rows, (b + 1) * block);
            for (int r = b * block; r < end; r++) {
                copyRow(w, r, buf);
                for (int t = 0; t < nTokens; t++) {
                    out[t * rows + r] = WeightKernels.dot(w.type(), buf, 0, x, t * cols, cols);
                }
            }
        });
    }

    @Override
    public void embedding(Weight w, int row, float[] out, int outOff) {
        byte[] buf = stage(w.rowBytes());
        copyRow(w, row, buf);
        WeightKernels.dequantizeRow(w.type(), buf, 0, out, outOff, w.cols());
    }

    private byte[] stage(long rowBytes) {
        byte[] buf = rowBuffer.get();
        if (buf.length < rowBytes) {
            buf = new byte[Math.toIntExact(rowBytes)];
            rowBuffer.set(buf);
        }
        return buf;
    }

    private static void copyRow(Weight w, int r, byte[] buf) {
        java.lang.foreign.MemorySegment.copy(w.data(), ValueLayout.JAVA_BYTE, r * w.rowBytes(), buf, 0, (int) w.rowBytes());
    }

    @Override
    public void rmsnorm(float[] out, float[] x, float[] weight, int nTokens, int dim, float eps) {
        parallelFor(nTokens, t -> RmsNorm.token(out, t * dim, x, t * dim, weight, dim, eps));
    }

    @Override
    public void rope(float[] x, int nTokens, int nHeads, int headDim, int pos0, float[] invFreq, boolean neox) {
        parallelFor(nTokens * nHeads, i -> {
            int t = i / nHeads;
            int off = i * headDim;
            if (neox) Rope.neox(x, off, headDim, pos0 + t, invFreq);
            else Rope.norm(x, off, headDim, pos0 + t, invFreq);
        });
    }

    @Override
    public void attentionPrefill(float[] q, float[] k, float[] v, float[] out, int nTokens, int nHeads, int nKvHeads, int headDim) {
        float scale = (float) (1.0 / Math.sqrt(headDim));
        parallelFor(nTokens * nHeads, i -> {
            int t = i / nHeads;
            int h = i % nHeads;
            Attention.prefill(q, k, v, out, t, h, nHeads, nKvHeads, headDim, scale);
        });
    }

    @Override
    public void attentionDecode(float[] q, KvCache cache, int layer, float[] out, int nHeads) {
        int headDim = cache.headDim();
        int group = nHeads / cache.nKvHeads();
        float scale = (float) (1.0 / Math.sqrt(headDim));
        int capacity = cache.capacity(layer);
        parallelFor(nHeads, h -> {
            int length = cache.length(layer, h / group); // per KV head: head-adaptive budgets differ
            switch (cache.dtype()) {
                case F32 -> Attention.decode(q, h * headDim, cache.keysF32(layer), cache.valuesF32(layer), capacity, length,
                        h / group, headDim, out, h * headDim, scale);
                case F16 -> Attention.decodeF16(q, h * headDim, cache.keysF16(layer), cache.valuesF16(layer), capacity, length,
                        h / group, headDim, out, h * headDim, scale);
                case Q8_0 -> Attention.decodeQ8_0(q, h * headDim, cache.keysQuant(layer), cache.valuesQuant(layer), capacity,
                        length, h / group, headDim, out, h * headDim, scale);
                case Q4_0 -> Attention.decodeQ4_0(q, h * headDim, cache.keysQuant(layer), cache.valuesQuant(layer), capacity,
                        length, h / group, headDim, out, h * headDim, scale);
            }
        });
    }

    @Override
    public void swiglu(float[] gate, float[] up, int nTokens, int dim) {
        parallelFor(nTokens, t -> SwiGlu.row(gate, up, t * dim, dim));
    }

    @Override
    public void close() {
        pool.close();
    }
}
