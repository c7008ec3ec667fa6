package dev.windowkv.engine.bench;

import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.engine.gguf.Quantize;
import dev.windowkv.engine.model.Weight;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/** Random inputs of Llama-3.2-1B's sizes for the kernel benchmarks; weights live off-heap, like a mapping. */
final class BenchInputs {
    private BenchInputs() {}

    static final int DIM = 2048;
    static final int HEADS = 32;
    static final int KV_HEADS = 8;
    static final int HEAD_DIM = 64;

    static float[] gaussian(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextGaussian() * 0.5);
        return x;
    }

    static Weight weight(GGMLType type, int rows, int cols, long seed) {
        byte[] raw = Quantize.quantize(type, gaussian(rows * cols, seed));
        MemorySegment seg = Arena.global().allocate(raw.length, 64);
        MemorySegment.copy(MemorySegment.ofArray(raw), 0, seg, 0, raw.length);
        return new Weight(type + "-" + rows + "x" + cols, type, seg, rows, cols, type.byteSize(cols));
    }
}
