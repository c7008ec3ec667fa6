package dev.windowkv.engine.kvcache;

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
 * <p>Accounting counts the K and V elements of the tokens held: {@code bytes(layer) = Σ_heads
 * length × headDim × 2 × (4 for F32, 2 for F16)}; position bookkeeping is not counted. Key channels
 * a selection prunes ({@link KeptTokens#prunesKeyChannel}, ThinK) are zeroed in the prompt keys and
 * not counted: a prompt token's key costs its kept channels only, as ThinK accounts them.
 */
public final class KvCache {
    /** Element storage: F32 in {@code float[]}, F16 as IEEE binary16 bits in {@code short[]}. */
    public enum Dtype {
        F32(4), F16(2);

        /** Bytes per stored element. */
        public final int bytes;

        Dtype(int bytes) {
            this.bytes = bytes;
        }
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
    private final int[][][] positions; // [layer][kvHead][slot]

    public KvCache(int nLayers, int nKvHeads, int headDim, int[] capacityPerLayer, Dtype dtype) {
        if (capacityPerLayer.length != nLayers) {
            throw new IllegalArgumentException("capacityPerLayer has " + capacityPerLayer.length + " entries for " + nLayers + " layers");
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
        this.positions = new int[nLayers][nKvHeads][];
        for (int l = 0; l < nLayers; l++) {
            int elements = Math.multiplyExact(Math.multiplyExact(nKvHeads, capacity[l]), headDim);
            if (dtype == Dtype.F32) {
                keysF32[l] = new float[elements];
                valuesF32[l] = new float[elements];
            } else {
                keysF16[l] = new short[elements];
                valuesF16[l] = new short[elements];
            }
            for (int h = 0; h < nKvHeads; h++) {
                positions[l][h] = new int[capacity[l]];
            }
        }
    }

    /**
     * Stores the kept prompt tokens of {@code layer} (replacing what it held) from the prefill
     * tensors {@code k}, {@code v} laid out {@code [n][nKvHeads][headDim]}. {@code kept == null}
     * or {@link KeptTokens#all} keeps all {@code n} in order.
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
        int[] flat = sel.flat(nKvHeads);
        int cap = capacity[layer];
        if (count > 0) {
            if (dtype == Dtype.F32) {
                float[] kd = keysF32[layer], vd = valuesF32[layer];
                backend.parallelFor(nKvHeads * count,
                        item -> KvCompaction.gatherF32(item, k, v, nKvHeads, headDim, flat, count, cap, kd, vd));
            } else {
                short[] kd = keysF16[layer], vd = valuesF16[layer];
                backend.parallelFor(nKvHeads * count,
                        item -> KvCompaction.gatherF16(item, k, v, nKvHeads, headDim, flat, count, cap, kd, vd));
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
        int cap = capacity[layer];
        for (int h = 0; h < nKvHeads; h++) {
            if (length[layer][h] >= cap) {
                throw new IllegalStateException("layer " + layer + " is full (" + cap + " tokens)");
            }
        }
        for (int h = 0; h < nKvHeads; h++) {
            int slot = length[layer][h];
            if (dtype == Dtype.F32) {
                KvCompaction.appendF32(h, k, kOff, v, vOff, headDim, slot, cap, keysF32[layer], valuesF32[layer]);
            } else {
                KvCompaction.appendF16(h, k, kOff, v, vOff, headDim, slot, cap, keysF16[layer], valuesF16[layer]);
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

    /** Keys of {@code layer}, {@code [kvHead][capacity][headDim]}; null in F16 mode. */
    public float[] keysF32(int layer) {
        return keysF32 == null ? null : keysF32[layer];
    }

    /** Values of {@code layer}, {@code [kvHead][capacity][headDim]}; null in F16 mode. */
    public float[] valuesF32(int layer) {
        return valuesF32 == null ? null : valuesF32[layer];
    }

    /** Keys of {@code layer} as binary16 bits; null in F32 mode. */
    public short[] keysF16(int layer) {
        return keysF16 == null ? null : keysF16[layer];
    }

    /** Values of {@code layer} as binary16 bits; null in F32 mode. */
    public short[] valuesF16(int layer) {
        return valuesF16 == null ? null : valuesF16[layer];
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
        long elements = 0;
        for (int h = 0; h < nKvHeads; h++) {
            elements += (long) length[layer][h] * headDim * 2 - prunedKeyElements[layer][h];
        }
        return elements * dtype.bytes;
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
        return (long) nLayers * tokens * nKvHeads * headDim * 2 * dtype.bytes;
    }

    /** {@link #bytes()} over {@link #fullBytes(int)}: the fraction of the full cache kept. */
    public double ratioToFull(int tokens) {
        return (double) bytes() / fullBytes(tokens);
    }
}
