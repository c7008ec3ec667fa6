package dev.windowkv.engine.backend;

import dev.windowkv.engine.backend.simd.SimdMatmul;
import dev.windowkv.engine.model.Weight;

/**
 * Threads plus the Vector API: matrix products read the memory-mapped weight blocks directly with
 * SIMD (no staging copy), several tokens per weight load during prefill.
 */
public final class VectorBackend extends JavaBackend {
    public VectorBackend(int threads) {
        super(threads);
    }

    @Override
    public String name() {
        return "vector";
    }

    @Override
    public void matmul(Weight w, float[] x, int nTokens, float[] out) {
        int rows = w.rows();
        int block = rowBlock(rows);
        int blocks = (rows + block - 1) / block;
        parallelFor(blocks, b -> {
            int start = b * block;
            int end = Math.min(rows, start + block);
            SimdMatmul.matmul(w.type(), w.data(), w.rowBytes(), start, end, x, nTokens, w.cols(), out, rows);
        });
    }
}
