package dev.windowkv.engine.model;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Every layer's keys and values of a prompt, off the Java heap: a chunked prefill writes each chunk's
 * rows here as they are produced, and each later chunk's attention reads the layer's rows so far
 * here, in place ({@link #keys(int)}, {@link #values(int)}). One arena per layer, so a layer's block
 * goes back to the operating system the moment it is freed ({@link #free}), not when a collector gets
 * round to it.
 *
 * <p>The block is laid out as an F32 KV cache layer of capacity {@code n},
 * {@code [nKvHeads][n][headDim]}, the layout {@code Backend.attentionPrefill} reads from a segment:
 * the attention needs no heap copy of the keys and values so far (the vector backend transposes
 * straight from here). The heap copies ({@link #keys(int, int, float[])}) come in the prompt's layout,
 * {@code [n][nKvHeads][headDim]}.
 */
final class PromptKv implements AutoCloseable {
    private final int promptLength;
    private final int nKvHeads;
    private final int headDim;
    private final Arena[] arenas;
    private final MemorySegment[] blocks; // per layer: [k, v][nKvHeads][n][headDim]

    PromptKv(int nLayers, int promptLength, int nKvHeads, int headDim) {
        this.promptLength = promptLength;
        this.nKvHeads = nKvHeads;
        this.headDim = headDim;
        this.arenas = new Arena[nLayers];
        this.blocks = new MemorySegment[nLayers];
        long bytes = Math.multiplyExact(2L * promptLength * nKvHeads * headDim, Float.BYTES);
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
        MemorySegment b = block(layer);
        for (int t = 0; t < m; t++) {
            for (int h = 0; h < nKvHeads; h++) {
                int src = (t * nKvHeads + h) * headDim;
                long at = rowAt(h, t0 + t);
                MemorySegment.copy(k, src, b, ValueLayout.JAVA_FLOAT, at, headDim);
                MemorySegment.copy(v, src, b, ValueLayout.JAVA_FLOAT, valuesAt() + at, headDim);
            }
        }
    }

    /** Copies layer {@code layer}'s keys of tokens {@code 0 .. count-1} into {@code out}, {@code [count][nKvHeads][headDim]}. */
    void keys(int layer, int count, float[] out) {
        read(block(layer), 0, count, out);
    }

    /** Copies layer {@code layer}'s values of tokens {@code 0 .. count-1} into {@code out}, laid out as {@link #keys(int, int, float[])}. */
    void values(int layer, int count, float[] out) {
        read(block(layer), valuesAt(), count, out);
    }

    /** Layer {@code layer}'s keys in place, {@code [nKvHeads][n][headDim]} floats (a cache layer of capacity {@code n}). */
    MemorySegment keys(int layer) {
        return block(layer).asSlice(0, valuesAt());
    }

    /** Layer {@code layer}'s values in place, laid out as {@link #keys(int)}. */
    MemorySegment values(int layer) {
        return block(layer).asSlice(valuesAt(), valuesAt());
    }

    private void read(MemorySegment b, long from, int count, float[] out) {
        for (int h = 0; h < nKvHeads; h++) {
            for (int t = 0; t < count; t++) {
                MemorySegment.copy(b, ValueLayout.JAVA_FLOAT, from + rowAt(h, t), out, (t * nKvHeads + h) * headDim, headDim);
            }
        }
    }

    /** Frees layer {@code layer}'s block; reading it afterwards is an error. */
    void free(int layer) {
        if (arenas[layer] != null && arenas[layer].scope().isAlive()) arenas[layer].close();
        blocks[layer] = null;
    }

    int promptLength() { return promptLength; }

    /** Bytes held for all layers when none is freed. */
    long bytes() {
        return blocks.length * 2 * valuesAt();
    }

    private long rowAt(int h, int t) {
        return ((long) h * promptLength + t) * headDim * Float.BYTES;
    }

    private long valuesAt() {
        return (long) promptLength * nKvHeads * headDim * Float.BYTES;
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
