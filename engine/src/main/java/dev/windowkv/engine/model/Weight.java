package dev.windowkv.engine.model;

import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.engine.gguf.GGUFTensorInfo;

import java.lang.foreign.MemorySegment;

/**
 * A weight matrix of {@code rows} rows of {@code cols} values, stored as raw GGUF blocks in a
 * memory-mapped segment (never copied onto the heap). Row r starts at byte {@code r * rowBytes}.
 */
public record Weight(String name, GGMLType type, MemorySegment data, int rows, int cols, long rowBytes) {
    public static Weight of(GGUFTensorInfo t) {
        return new Weight(t.name(), t.type(), t.data(), t.rows(), t.cols(), t.type().byteSize(t.cols()));
    }

    public long bytes() {
        return rowBytes * rows;
    }
}
