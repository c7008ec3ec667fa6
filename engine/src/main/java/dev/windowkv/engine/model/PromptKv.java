package dev.windowkv.engine.model;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Every layer's keys and values of a prompt, {@code [n][nKvHeads][headDim]} floats each, off the Java
 * heap: a chunked prefill writes each chunk's rows here as they are produced and reads a layer's rows
 * so far back for the next chunk's attention. One arena per layer, so a layer's block goes back to the
 * operating system the moment it is freed ({@link #free}), not when a collector gets round to it.
 */
final class PromptKv implements AutoCloseable {
    private final int promptLength;
    private final int kvDim;
    private final Arena[] arenas;
    private final MemorySegment[] blocks; // per layer: [k, v][n * kvDim]

    PromptKv(int nLayers, int promptLength, int kvDim) {
        this.promptLength = promptLength;
        this.kvDim = kvDim;
        this.arenas = new Arena[nLayers];
        this.blocks = new MemorySegment[nLayers];
        long bytes = Math.multiplyExact(2L * promptLength * kvDim, Float.BYTES);
        try {
            for (int l = 0; l < nLayers; l++) {
                arenas[l] = Arena.ofShared();
                blocks[l] = arenas[l].allocate(bytes, 64);
            }
        } catch (RuntimeException | OutOfMemoryError e) {
            close();
            throw e;
        }
    }

    /** Stores rows {@code t0 .. t0+m-1} of layer {@code layer} from the first {@code m} rows of {@code k} and {@code v}. */
    void write(int layer, int t0, int m, float[] k, float[] v) {
        long at = (long) t0 * kvDim * Float.BYTES;
        MemorySegment.copy(k, 0, block(layer), ValueLayout.JAVA_FLOAT, at, m * kvDim);
        MemorySegment.copy(v, 0, block(layer), ValueLayout.JAVA_FLOAT, valuesAt() + at, m * kvDim);
    }

    /** Copies layer {@code layer}'s keys of tokens {@code 0 .. count-1} into {@code out}. */
    void keys(int layer, int count, float[] out) {
        MemorySegment.copy(block(layer), ValueLayout.JAVA_FLOAT, 0, out, 0, count * kvDim);
    }

    /** Copies layer {@code layer}'s values of tokens {@code 0 .. count-1} into {@code out}. */
    void values(int layer, int count, float[] out) {
        MemorySegment.copy(block(layer), ValueLayout.JAVA_FLOAT, valuesAt(), out, 0, count * kvDim);
    }

    /** Frees layer {@code layer}'s block; reading it afterwards is an error. */
    void free(int layer) {
        if (arenas[layer] != null && arenas[layer].scope().isAlive()) arenas[layer].close();
        blocks[layer] = null;
    }

    int promptLength() { return promptLength; }

    /** Bytes held for all layers when none is freed. */
    long bytes() {
        return (long) blocks.length * 2L * promptLength * kvDim * Float.BYTES;
    }

    private long valuesAt() {
        return (long) promptLength * kvDim * Float.BYTES;
    }

    private MemorySegment block(int layer) {
        MemorySegment b = blocks[layer];
        if (b == null) throw new IllegalStateException("layer " + layer + "'s prompt keys and values were freed");
        return b;
    }

    @Override
    public void close() {
        for (int l = 0; l < arenas.length; l++) {
            if (arenas[l] != null) free(l);
        }
    }
}
