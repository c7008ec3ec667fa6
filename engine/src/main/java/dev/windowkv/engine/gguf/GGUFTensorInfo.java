package dev.windowkv.engine.gguf;

import java.lang.foreign.MemorySegment;

/**
 * One entry of the tensor table. {@code dims[0]} is the fastest-varying dimension (a row's length),
 * as in ggml. {@code data} is a zero-copy view into the memory-mapped file.
 */
public record GGUFTensorInfo(String name, long[] dims, GGMLType type, long offset, MemorySegment data) {
    public long elements() {
        long n = 1;
        for (long d : dims) n *= d;
        return n;
    }

    /** Row length (ne0). */
    public int cols() {
        return Math.toIntExact(dims[0]);
    }

    /** Number of rows (product of the other dimensions). */
    public int rows() {
        return Math.toIntExact(elements() / dims[0]);
    }
}
