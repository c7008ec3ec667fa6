package dev.windowkv.engine.backend;

import dev.windowkv.engine.kvcache.KvCache;
import dev.windowkv.engine.model.Weight;
import dev.windowkv.kernels.Attention;
import dev.windowkv.kernels.RmsNorm;
import dev.windowkv.kernels.Rope;
import dev.windowkv.kernels.SwiGlu;

import java.lang.foreign.MemorySegment;
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
        MemorySegment.copy(w.data(), ValueLayout.JAVA_BYTE, r * w.rowBytes(), buf, 0, (int) w.rowBytes());
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

    /**
     * The reference kernels read {@code float[]}, {@code short[]} or {@code byte[]} caches, as TornadoVM
     * needs; the cache lives off the heap ({@link KvCache#keys}), so each KV head's valid rows are
     * copied into a per-thread scratch first, once for the query heads of its group. The kernels then
     * see a one-head cache of {@code length} slots: the same rows in the same order, so the same results.
     */
    @Override
    public void attentionDecode(float[] q, KvCache cache, int layer, float[] out, int nHeads) {
        int headDim = cache.headDim();
        int group = nHeads / cache.nKvHeads();
        float scale = (float) (1.0 / Math.sqrt(headDim));
        int capacity = cache.capacity(layer);
        KvCache.Dtype dtype = cache.dtype();
        long rowBytes = dtype.rowBytes(headDim);
        MemorySegment keys = cache.keys(layer), values = cache.values(layer);
        parallelFor(cache.nKvHeads(), kvh -> {
            int length = cache.length(layer, kvh); // per KV head: head-adaptive budgets differ
            long from = kvh * capacity * rowBytes;
            int bytes = Math.toIntExact(length * rowBytes);
            DecodeScratch s = decodeScratch.get();
            for (int h = kvh * group; h < (kvh + 1) * group; h++) {
                switch (dtype) {
                    case F32 -> {
                        if (h == kvh * group) s.floats(keys, values, from, bytes / Float.BYTES);
                        Attention.decode(q, h * headDim, s.kf, s.vf, length, length, 0, headDim, out, h * headDim, scale);
                    }
                    case F16 -> {
                        if (h == kvh * group) s.shorts(keys, values, from, bytes / Short.BYTES);
                        Attention.decodeF16(q, h * headDim, s.kh, s.vh, length, length, 0, headDim, out, h * headDim, scale);
                    }
                    case Q8_0 -> {
                        if (h == kvh * group) s.bytes(keys, values, from, bytes);
                        Attention.decodeQ8_0(q, h * headDim, s.kb, s.vb, length, length, 0, headDim, out, h * headDim, scale);
                    }
                    case Q4_0 -> {
                        if (h == kvh * group) s.bytes(keys, values, from, bytes);
                        Attention.decodeQ4_0(q, h * headDim, s.kb, s.vb, length, length, 0, headDim, out, h * headDim, scale);
                    }
                }
            }
        });
    }

    private final ThreadLocal<DecodeScratch> decodeScratch = ThreadLocal.withInitial(DecodeScratch::new);

    /** One KV head's keys and values, copied off the cache for the reference kernels; grows as the cache does. */
    private static final class DecodeScratch {
        float[] kf = new float[0], vf = new float[0];
        short[] kh = new short[0], vh = new short[0];
        byte[] kb = new byte[0], vb = new byte[0];

        void floats(MemorySegment k, MemorySegment v, long from, int count) {
            if (kf.length < count) {
                kf = new float[count];
                vf = new float[count];
            }
            MemorySegment.copy(k, ValueLayout.JAVA_FLOAT, from, kf, 0, count);
            MemorySegment.copy(v, ValueLayout.JAVA_FLOAT, from, vf, 0, count);
        }

        void shorts(MemorySegment k, MemorySegment v, long from, int count) {
            if (kh.length < count) {
                kh = new short[count];
                vh = new short[count];
            }
            MemorySegment.copy(k, ValueLayout.JAVA_SHORT, from, kh, 0, count);
            MemorySegment.copy(v, ValueLayout.JAVA_SHORT, from, vh, 0, count);
        }

        void bytes(MemorySegment k, MemorySegment v, long from, int count) {
            if (kb.length < count) {
                kb = new byte[count];
                vb = new byte[count];
            }
            MemorySegment.copy(k, ValueLayout.JAVA_BYTE, from, kb, 0, count);
            MemorySegment.copy(v, ValueLayout.JAVA_BYTE, from, vb, 0, count);
        }
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
