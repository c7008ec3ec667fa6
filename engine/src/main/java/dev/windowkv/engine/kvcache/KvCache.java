package dev.windowkv.engine.kvcache;

import dev.windowkv.engine.UserError;
import dev.windowkv.engine.backend.Backend;
import dev.windowkv.kernels.kv.KvCompaction;

import java.util.Arrays;

/**
 * The per-layer KV cache of one sample, holding only the KV heads (GQA is not expanded, unlike the
 * reference code, spec §1.8). Each layer is laid out {@code [kvHead][slot][headDim]} with a fixed
 * capacity (the policy's capacity plus the decode tokens) and a length per KV head: the same for
 * every head except under head-adaptive budgets ({@link KeptTokens#isRagged}), where decode
 * appends each head's token after that head's own prompt tokens.
 * Keys are stored after RoPE, so slot order is irrelevant to attention; the original prompt or
 * decode position of each slot is kept for inspection.
 *
 * <p>Accounting counts the K and V storage of the tokens held: {@code bytes(layer) = length ×
 * nKvHeads × 2 × rowBytes}, where a head's row of {@code headDim} values takes {@code 4·headDim}
 * bytes in F32, {@code 2·headDim} in F16, and {@code headDim/32} GGUF blocks of 34 (Q8_0) or 18
 * (Q4_0) bytes, scale included; position bookkeeping is not counted. Key channels
 * a selection prunes ({@link KeptTokens#prunesKeyChannel}, ThinK) are zeroed in the prompt keys and
 * not counted: a prompt token's key costs its kept channels only, as ThinK accounts them (F32 and
 * F16 caches; a quantized cache stores whole blocks, so ThinK is refused there).
 */
public final class KvCache {
    /**
     * Element storage: F32 in {@code float[]}, F16 as IEEE binary16 bits in {@code short[]}, Q8_0
     * and Q4_0 as GGUF blocks of 32 values along the head dimension in {@code byte[]}, one scale
     * per block of one token and head (quantized on the way in, dequantized inside attention).
     */
    public enum Dtype {
        F32("f32", 1, 4), F16("f16", 1, 2), Q8_0("q8_0", 32, 34), Q4_0("q4_0", 32, 18);

        /** The name {@code --kv-dtype} and the sweep's {@code kvDtype} take. */
        public final String id;
        /** Values per block: 1 for the float types, 32 for the quantized ones. */
        public final int blockSize;
        /** Bytes per block. */
        public final int blockBytes;

        Dtype(String id, int blockSize, int blockBytes) {
            this.id = id;
            this.blockSize = blockSize;
            this.blockBytes = blockBytes;
        }

        /** Whether the values are stored as blocks with a scale (Q8_0, Q4_0). */
        public boolean quantized() {
            return blockSize > 1;
        }

        /** Bytes one token of one head takes for K (or for V). */
        public long rowBytes(int headDim) {
            return (long) headDim / blockSize * blockBytes;
        }

        /** The dtype named {@code id} ({@code f32}, {@code f16}, {@code q8_0}, {@code q4_0}, any case), or null. */
        public static Dtype byId(String id) {
            for (Dtype d : values()) if (d.id.equalsIgnoreCase(id)) return d;
            return null;
        }

        /** The accepted names, for error messages. */
        public static final String CHOICES = "f32, f16, q8_0 or q4_0";
    }

    private final int nLayers;
    private final int nKvHeads;
    private final int headDim;
    private final Dtype dtype;
    private final int[] capacity;
    private final int[][] length; // [layer][kvHead]
    private final int[][] prunedKeyElements; // [layer][kvHead]: zeroed key elements, not counted in bytes
    private final float[][] keysF32;
    private final float[][] valuesF32;
    private final short[][] keysF16;
    private final short[][] valuesF16;
    private final byte[][] keysQuant;
    private final byte[][] valuesQuant;
    private final int[][][] positions; // [layer][kvHead][slot]

    public KvCache(int nLayers, int nKvHeads, int headDim, int[] capacityPerLayer, Dtype dtype) {
        if (capacityPerLayer.length != nLayers) {
            throw new IllegalArgumentException("capacityPerLayer has " + capacityPerLayer.length + " entries for " + nLayers + " layers");
        }
        if (dtype.quantized() && headDim % dtype.blockSize != 0) {
            throw new UserError("a " + dtype.id + " KV cache quantizes blocks of " + dtype.blockSize + " values along the head "
                    + "dimension, but this model's heads have " + headDim + "; use f16 or f32");
        }
        this.nLayers = nLayers;
        this.nKvHeads = nKvHeads;
        this.headDim = headDim;
        this.dtype = dtype;
        this.capacity = capacityPerLayer.clone();
        this.length = new int[nLayers][nKvHeads];
        this.prunedKeyElements = new int[nLayers][nKvHeads];
        this.keysF32 = dtype == Dtype.F32 ? new float[nLayers][] : null;
        this.valuesF32 = dtype == Dtype.F32 ? new float[nLayers][] : null;
        this.keysF16 = dtype == Dtype.F16 ? new short[nLayers][] : null;
        this.valuesF16 = dtype == Dtype.F16 ? new short[nLayers][] : null;
        this.keysQuant = dtype.quantized() ? new byte[nLayers][] : null;
        this.valuesQuant = dtype.quantized() ? new byte[nLayers][] : null;
        this.positions = new int[nLayers][nKvHeads][];
        for (int l = 0; l < nLayers; l++) {
            Math.multiplyExact(Math.multiplyExact(nKvHeads, capacity[l]), headDim); // too large: fail now, not at first use
            for (int h = 0; h < nKvHeads; h++) {
                positions[l][h] = new int[capacity[l]];
            }
        }
    }

    /**
     * Allocates the storage of {@code layer} on first use: a chunked prefill fills the layers one
     * after another while it frees the prompt's full keys and values of each, so the cache and that
     * staging hold about one full KV between them instead of two.
     */
    private void ensure(int l) {
        boolean present = switch (dtype) {
            case F32 -> keysF32[l] != null;
            case F16 -> keysF16[l] != null;
            case Q8_0, Q4_0 -> keysQuant[l] != null;
        };
        if (present) return;
        synchronized (this) {
            allocate(l);
        }
    }

    private void allocate(int l) {
        if (dtype == Dtype.F32 ? keysF32[l] != null : dtype == Dtype.F16 ? keysF16[l] != null : keysQuant[l] != null) return;
        int elements = Math.multiplyExact(Math.multiplyExact(nKvHeads, capacity[l]), headDim);
        switch (dtype) {
            case F32 -> {
                keysF32[l] = new float[elements];
                valuesF32[l] = new float[elements];
            }
            case F16 -> {
                keysF16[l] = new short[elements];
                valuesF16[l] = new short[elements];
            }
            case Q8_0, Q4_0 -> {
                int bytes = Math.toIntExact(Math.multiplyExact((long) nKvHeads * capacity[l], dtype.rowBytes(headDim)));
                keysQuant[l] = new byte[bytes];
                valuesQuant[l] = new byte[bytes];
            }
        }
    }

    /**
     * Stores the kept prompt tokens of {@code layer} (replacing what it held) from the prefill
     * tensors {@code k}, {@code v} laid out {@code [n][nKvHeads][headDim]}. {@code kept == null}
     * or {@link KeptTokens#all} keeps all {@code n} in order. {@code k} and {@code v} null: the
     * values live in a device decoder's memory, and only which tokens are kept is recorded.
     */
    public void fillFromPrefill(int layer, float[] k, float[] v, int n, KeptTokens kept, Backend backend) {
        KeptTokens sel = kept == null ? KeptTokens.all(n) : kept;
        if (sel.promptLength() != n) {
            throw new IllegalArgumentException("selection made for " + sel.promptLength() + " tokens, prefill has " + n);
        }
        int count = sel.count();
        if (count > capacity[layer]) {
            throw new IllegalStateException("layer " + layer + " keeps " + count + " tokens but has capacity " + capacity[layer]);
        }
        ensure(layer);
        int[] flat = sel.flat(nKvHeads);
        int cap = capacity[layer];
        if (count > 0 && k != null) {
            int items = nKvHeads * count;
            switch (dtype) {
                case F32 -> {
                    float[] kd = keysF32[layer], vd = valuesF32[layer];
                    backend.parallelFor(items, item -> KvCompaction.gatherF32(item, k, v, nKvHeads, headDim, flat, count, cap, kd, vd));
                }
                case F16 -> {
                    short[] kd = keysF16[layer], vd = valuesF16[layer];
                    backend.parallelFor(items, item -> KvCompaction.gatherF16(item, k, v, nKvHeads, headDim, flat, count, cap, kd, vd));
                }
                case Q8_0 -> {
                    byte[] kd = keysQuant[layer], vd = valuesQuant[layer];
                    backend.parallelFor(items, item -> KvCompaction.gatherQ8_0(item, k, v, nKvHeads, headDim, flat, count, cap, kd, vd));
                }
                case Q4_0 -> {
                    byte[] kd = keysQuant[layer], vd = valuesQuant[layer];
                    backend.parallelFor(items, item -> KvCompaction.gatherQ4_0(item, k, v, nKvHeads, headDim, flat, count, cap, kd, vd));
                }
            }
        }
        for (int h = 0; h < nKvHeads; h++) {
            System.arraycopy(flat, h * count, positions[layer][h], 0, count);
            length[layer][h] = sel.count(h);
            prunedKeyElements[layer][h] = sel.prunesKeyChannels() ? pruneKeyChannels(layer, h, sel) : 0;
        }
    }

    /** Zeroes the pruned key channels of head {@code h}'s prompt tokens; returns how many elements that is. */
    private int pruneKeyChannels(int layer, int h, KeptTokens sel) {
        if (dtype.quantized()) {
            throw new UserError("ThinK prunes key channels of an f32 or f16 KV cache; a " + dtype.id
                    + " cache stores whole blocks of 32 channels: use --kv-dtype f16 (or f32) with think");
        }
        int cap = capacity[layer];
        int pruned = 0;
        for (int d = 0; d < headDim; d++) {
            if (!sel.prunesKeyChannel(h, d)) continue;
            pruned++;
            for (int slot = 0; slot < sel.count(h); slot++) {
                int at = (h * cap + slot) * headDim + d;
                if (dtype == Dtype.F32) keysF32[layer][at] = 0f;
                else keysF16[layer][at] = 0; // +0.0 in binary16
            }
        }
        return pruned * sel.count(h);
    }

    /** Appends one decoded token (all KV heads, {@code [nKvHeads][headDim]} at the offsets). */
    public void append(int layer, float[] k, int kOff, float[] v, int vOff, int position) {
        ensure(layer);
        int cap = capacity[layer];
        for (int h = 0; h < nKvHeads; h++) {
            if (length[layer][h] >= cap) {
                throw new IllegalStateException("layer " + layer + " is full (" + cap + " tokens)");
            }
        }
        for (int h = 0; h < nKvHeads; h++) {
            int slot = length[layer][h];
            switch (dtype) {
                case F32 -> KvCompaction.appendF32(h, k, kOff, v, vOff, headDim, slot, cap, keysF32[layer], valuesF32[layer]);
                case F16 -> KvCompaction.appendF16(h, k, kOff, v, vOff, headDim, slot, cap, keysF16[layer], valuesF16[layer]);
                case Q8_0 -> KvCompaction.appendQ8_0(h, k, kOff, v, vOff, headDim, slot, cap, keysQuant[layer], valuesQuant[layer]);
                case Q4_0 -> KvCompaction.appendQ4_0(h, k, kOff, v, vOff, headDim, slot, cap, keysQuant[layer], valuesQuant[layer]);
            }
            positions[layer][h][slot] = position;
            length[layer][h] = slot + 1;
        }
    }

    /** The most tokens any KV head of {@code layer} holds (the count of every head unless ragged). */
    public int length(int layer) {
        int max = 0;
        for (int l : length[layer]) max = Math.max(max, l);
        return max;
    }

    /** Tokens held by KV head {@code kvHead} of {@code layer}: the valid slots attention reads. */
    public int length(int layer, int kvHead) {
        return length[layer][kvHead];
    }

    public int capacity(int layer) {
        return capacity[layer];
    }

    /** Keys of {@code layer}, {@code [kvHead][capacity][headDim]}; null unless F32. */
    public float[] keysF32(int layer) {
        if (keysF32 == null) return null;
        ensure(layer);
        return keysF32[layer];
    }

    /** Values of {@code layer}, {@code [kvHead][capacity][headDim]}; null unless F32. */
    public float[] valuesF32(int layer) {
        if (valuesF32 == null) return null;
        ensure(layer);
        return valuesF32[layer];
    }

    /** Keys of {@code layer} as binary16 bits; null unless F16. */
    public short[] keysF16(int layer) {
        if (keysF16 == null) return null;
        ensure(layer);
        return keysF16[layer];
    }

    /** Values of {@code layer} as binary16 bits; null unless F16. */
    public short[] valuesF16(int layer) {
        if (valuesF16 == null) return null;
        ensure(layer);
        return valuesF16[layer];
    }

    /**
     * Keys of {@code layer} as Q8_0 or Q4_0 blocks, {@code [kvHead][capacity][headDim / 32 blocks]};
     * null unless quantized.
     */
    public byte[] keysQuant(int layer) {
        if (keysQuant == null) return null;
        ensure(layer);
        return keysQuant[layer];
    }

    /** Values of {@code layer} as Q8_0 or Q4_0 blocks, laid out as {@link #keysQuant}; null unless quantized. */
    public byte[] valuesQuant(int layer) {
        if (valuesQuant == null) return null;
        ensure(layer);
        return valuesQuant[layer];
    }

    public Dtype dtype() {
        return dtype;
    }

    public int nLayers() {
        return nLayers;
    }

    public int nKvHeads() {
        return nKvHeads;
    }

    public int headDim() {
        return headDim;
    }

    /** Original positions (prompt index or decode position) of the tokens in each slot of a head. */
    public int[] positions(int layer, int head) {
        return Arrays.copyOf(positions[layer][head], length[layer][head]);
    }

    /** Bytes of K and V held by {@code layer}, pruned key channels not counted. */
    public long bytes(int layer) {
        long bytes = 0;
        for (int h = 0; h < nKvHeads; h++) {
            bytes += (long) length[layer][h] * 2 * dtype.rowBytes(headDim)
                    - (long) prunedKeyElements[layer][h] * dtype.rowBytes(headDim) / headDim;
        }
        return bytes;
    }

    /** Bytes of K and V held by all layers. */
    public long bytes() {
        long total = 0;
        for (int l = 0; l < nLayers; l++) {
            total += bytes(l);
        }
        return total;
    }

    /**
     * Tokens held per layer: per KV head, rounded to the nearest integer when heads differ (head-
     * adaptive budgets), so the figure stays "tokens per layer" comparable to a uniform budget.
     */
    public int[] tokensPerLayer() {
        int[] out = new int[nLayers];
        for (int l = 0; l < nLayers; l++) {
            long sum = 0;
            for (int h = 0; h < nKvHeads; h++) sum += length[l][h];
            out[l] = (int) Math.round((double) sum / nKvHeads);
        }
        return out;
    }

    /** Tokens held per layer and KV head, {@code [layer][kvHead]}. */
    public int[][] tokensPerHead() {
        int[][] out = new int[nLayers][];
        for (int l = 0; l < nLayers; l++) out[l] = length[l].clone();
        return out;
    }

    /** Bytes an uncompressed cache (FullKV, same dtype) holding {@code tokens} in every layer needs. */
    public long fullBytes(int tokens) {
        return fullBytes(nLayers, nKvHeads, headDim, tokens, dtype);
    }

    /**
     * Bytes a FullKV cache of {@code tokens} in every layer takes at {@code dtype}: a sweep compares
     * rows of several dtypes against one FullKV reference.
     */
    public static long fullBytes(int nLayers, int nKvHeads, int headDim, int tokens, Dtype dtype) {
        return (long) nLayers * tokens * nKvHeads * 2 * dtype.rowBytes(headDim);
    }

    /** {@link #bytes()} over {@link #fullBytes(int)}: the fraction of the full cache kept. */
    public double ratioToFull(int tokens) {
        return (double) bytes() / fullBytes(tokens);
    }
}
