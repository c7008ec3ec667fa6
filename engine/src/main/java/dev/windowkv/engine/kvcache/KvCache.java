package dev.windowkv.engine.kvcache;

import dev.windowkv.engine.UserError;
import dev.windowkv.engine.backend.Backend;
import dev.windowkv.kernels.Half;
import dev.windowkv.kernels.kv.KvCompaction;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Cleaner;
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
 *
 * <p>The storage lives off the Java heap, in one arena per cache, allocated layer by layer on first
 * use and freed by {@link #close} (a {@link Cleaner} frees it if a cache is dropped unclosed). On the
 * heap, a FullKV cache was one G1 humongous object per layer's keys or values (16 MiB at 8,192 tokens
 * on Llama-3.2-1B, each in whole 4 MiB regions) and made G1 grow the heap, with its headroom, around
 * it: at 8,192 tokens the resident set held 60–95 MiB more than the cache. Off the heap it is exactly
 * its bytes, and it goes back to the operating system the moment the cache is closed. Reading a
 * closed cache's storage is an {@link IllegalStateException} naming the cause, never a crash.
 */
public final class KvCache implements AutoCloseable {
    /** Frees the storage of caches dropped without {@link #close}. */
    private static final Cleaner CLEANER = Cleaner.create();

    /**
     * Element storage: F32 as native-order floats, F16 as IEEE binary16 bits (native-order shorts),
     * Q8_0 and Q4_0 as GGUF blocks of 32 values along the head dimension, one scale per block of one
     * token and head (quantized on the way in, dequantized inside attention).
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

        /** Bytes one value takes in storage: 4 (F32), 2 (F16); 1 for the block types, which count blocks in bytes. */
        int elementBytes() {
            return switch (this) {
                case F32 -> 4;
                case F16 -> 2;
                case Q8_0, Q4_0 -> 1;
            };
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
    private final Arena arena;
    private final Cleaner.Cleanable freeing;
    private final MemorySegment[] keys;   // per layer, [kvHead][capacity] rows of rowBytes; null until first use
    private final MemorySegment[] values; // laid out as keys
    private final int[][][] positions; // [layer][kvHead][slot]
    private volatile boolean freed;

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
        this.keys = new MemorySegment[nLayers];
        this.values = new MemorySegment[nLayers];
        this.positions = new int[nLayers][nKvHeads][];
        for (int l = 0; l < nLayers; l++) {
            // too large for the kernels' int offsets: fail now, not at first use
            Math.toIntExact(Math.multiplyExact((long) nKvHeads * capacity[l], dtype.rowBytes(headDim)));
            Math.multiplyExact(Math.multiplyExact(nKvHeads, capacity[l]), headDim);
            for (int h = 0; h < nKvHeads; h++) {
                positions[l][h] = new int[capacity[l]];
            }
        }
        Arena a = Arena.ofShared();
        this.arena = a;
        this.freeing = CLEANER.register(this, a::close);
    }

    /**
     * Allocates the storage of {@code layer} on first use: a chunked prefill fills the layers one
     * after another while it frees the prompt's full keys and values of each, so the cache and that
     * staging hold about one full KV between them instead of two.
     */
    private void ensure(int l) {
        if (freed) throw freedError();
        if (keys[l] != null) return;
        synchronized (this) {
            if (freed) throw freedError();
            if (keys[l] != null) return;
            long bytes = (long) nKvHeads * capacity[l] * dtype.rowBytes(headDim);
            values[l] = arena.allocate(Math.max(1, bytes), 64);
            keys[l] = arena.allocate(Math.max(1, bytes), 64);
        }
    }

    private IllegalStateException freedError() {
        return new IllegalStateException("this KV cache was freed (its generation ended, or a new prefill of the same "
                + "Transformer replaced it); prefill again for a new cache");
    }

    /** Byte offset of slot {@code slot} of KV head {@code h} in a layer of capacity {@code cap}. */
    private long at(int h, int cap, int slot) {
        return ((long) h * cap + slot) * dtype.rowBytes(headDim);
    }

    /**
     * Stores the kept prompt tokens of {@code layer} (replacing what it held) from the prefill
     * tensors {@code k}, {@code v} laid out {@code [n][nKvHeads][headDim]}. {@code kept == null}
     * or {@link KeptTokens#all} keeps all {@code n} in order. {@code k} and {@code v} null: the
     * values live in a device decoder's memory, and only which tokens are kept is recorded.
     */
    public void fillFromPrefill(int layer, float[] k, float[] v, int n, KeptTokens kept, Backend backend) {
        fill(layer, k, v, null, null, n, kept, backend);
    }

    /**
     * {@link #fillFromPrefill} from where a chunked prefill (or a capture) staged the prompt's keys and
     * values, {@code kStaged} and {@code vStaged}: {@code [nKvHeads][n][headDim]} floats each (an F32
     * cache layer of capacity {@code n}), so that they need no copy on the heap.
     */
    public void fillFromStaged(int layer, MemorySegment kStaged, MemorySegment vStaged, int n, KeptTokens kept,
                               Backend backend) {
        if (kStaged == null || vStaged == null) throw new IllegalArgumentException("a staged prefill hands over its keys and values");
        fill(layer, null, null, kStaged, vStaged, n, kept, backend);
    }

    private void fill(int layer, float[] k, float[] v, MemorySegment kStaged, MemorySegment vStaged, int n, KeptTokens kept,
                      Backend backend) {
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
        if (count > 0 && (k != null || kStaged != null)) {
            MemorySegment kd = keys[layer], vd = values[layer];
            // Work items: one KV head's run of up to GATHER tokens, so a quantized row's scratch serves many.
            int runs = (count + GATHER - 1) / GATHER;
            backend.parallelFor(nKvHeads * runs, item -> {
                int h = item / runs;
                int t0 = item % runs * GATHER;
                gather(k, v, kStaged, vStaged, n, flat, h, count, t0, Math.min(count, t0 + GATHER), cap, kd, vd);
            });
        }
        for (int h = 0; h < nKvHeads; h++) {
            System.arraycopy(flat, h * count, positions[layer][h], 0, count);
            length[layer][h] = sel.count(h);
            prunedKeyElements[layer][h] = sel.prunesKeyChannels() ? pruneKeyChannels(layer, h, sel) : 0;
        }
    }

    /** Tokens per work item of {@link #fillFromPrefill}. */
    private static final int GATHER = 256;

    /**
     * Slots {@code t0 .. t1-1} of KV head {@code h}: prompt token {@code flat[h * count + t]} into slot
     * {@code t}. The values are encoded by {@link KvCompaction}'s kernels (the device's compaction),
     * one token into a one-slot scratch, then copied: the bytes are those kernels' bytes. The rows come
     * from {@code k}, {@code v}, or (non-null) from {@code kStaged}, {@code vStaged}: a staged prefill's
     * blocks of {@code n} tokens per KV head, through one-row scratches.
     */
    private void gather(float[] k, float[] v, MemorySegment kStaged, MemorySegment vStaged, int n, int[] flat, int h,
                        int count, int t0, int t1, int cap, MemorySegment kd, MemorySegment vd) {
        int rowBytes = (int) dtype.rowBytes(headDim);
        byte[] sk = dtype.quantized() ? new byte[rowBytes] : null;
        byte[] sv = dtype.quantized() ? new byte[rowBytes] : null;
        boolean staged = kStaged != null;
        // An F32 cache takes a staged row as it is; the other types encode it from a one-row scratch.
        boolean scratch = staged && dtype != Dtype.F32;
        float[] kRow = scratch ? new float[headDim] : null, vRow = scratch ? new float[headDim] : null;
        for (int t = t0; t < t1; t++) {
            int token = flat[h * count + t];
            float[] ks = k, vs = v;
            int src = (token * nKvHeads + h) * headDim;
            long dst = at(h, cap, t);
            if (staged) {
                long at = ((long) h * n + token) * headDim * Float.BYTES;
                if (!scratch) {
                    MemorySegment.copy(kStaged, at, kd, dst, (long) headDim * Float.BYTES);
                    MemorySegment.copy(vStaged, at, vd, dst, (long) headDim * Float.BYTES);
                    continue;
                }
                MemorySegment.copy(kStaged, ValueLayout.JAVA_FLOAT, at, kRow, 0, headDim);
                MemorySegment.copy(vStaged, ValueLayout.JAVA_FLOAT, at, vRow, 0, headDim);
                ks = kRow;
                vs = vRow;
                src = 0;
            }
            switch (dtype) {
                case F32 -> {
                    MemorySegment.copy(ks, src, kd, ValueLayout.JAVA_FLOAT, dst, headDim);
                    MemorySegment.copy(vs, src, vd, ValueLayout.JAVA_FLOAT, dst, headDim);
                }
                case F16 -> {
                    for (int d = 0; d < headDim; d++) {
                        kd.set(ValueLayout.JAVA_SHORT, dst + 2L * d, Half.f32ToF16(ks[src + d]));
                        vd.set(ValueLayout.JAVA_SHORT, dst + 2L * d, Half.f32ToF16(vs[src + d]));
                    }
                }
                case Q8_0, Q4_0 -> {
                    // kvh 0 of a one-slot cache: the kernel reads k[src ..] and writes the scratch from 0.
                    if (dtype == Dtype.Q8_0) KvCompaction.appendQ8_0(0, ks, src, vs, src, headDim, 0, 1, sk, sv);
                    else KvCompaction.appendQ4_0(0, ks, src, vs, src, headDim, 0, 1, sk, sv);
                    MemorySegment.copy(sk, 0, kd, ValueLayout.JAVA_BYTE, dst, rowBytes);
                    MemorySegment.copy(sv, 0, vd, ValueLayout.JAVA_BYTE, dst, rowBytes);
                }
            }
        }
    }

    /** Zeroes the pruned key channels of head {@code h}'s prompt tokens; returns how many elements that is. */
    private int pruneKeyChannels(int layer, int h, KeptTokens sel) {
        if (dtype.quantized()) {
            throw new UserError("ThinK prunes key channels of an f32 or f16 KV cache; a " + dtype.id
                    + " cache stores whole blocks of 32 channels: use --kv-dtype f16 (or f32) with think");
        }
        int cap = capacity[layer];
        MemorySegment kd = keys[layer];
        int pruned = 0;
        for (int d = 0; d < headDim; d++) {
            if (!sel.prunesKeyChannel(h, d)) continue;
            pruned++;
            for (int slot = 0; slot < sel.count(h); slot++) {
                long at = at(h, cap, slot) + (long) d * dtype.elementBytes();
                if (dtype == Dtype.F32) kd.set(ValueLayout.JAVA_FLOAT, at, 0f);
                else kd.set(ValueLayout.JAVA_SHORT, at, (short) 0); // +0.0 in binary16
            }
        }
        return pruned * sel.count(h);
    }

    /**
     * Writes prompt tokens {@code pos0 .. pos0+m-1} of {@code layer} into slots {@code pos0 ..} of every
     * KV head, from rows {@code [m][nKvHeads][headDim]} of {@code k} and {@code v}: a FullKV prefill
     * fills an F32 cache chunk by chunk as it goes ({@link Compressor#keepsEveryToken}), and records
     * the tokens at the end with {@code fillFromPrefill(layer, null, null, n, null, backend)}.
     */
    public void writePromptRows(int layer, int pos0, int m, float[] k, float[] v) {
        if (dtype != Dtype.F32) throw new IllegalStateException("prompt rows go straight into an F32 cache only, not " + dtype);
        ensure(layer);
        int cap = capacity[layer];
        if (pos0 + m > cap) {
            throw new IllegalStateException("layer " + layer + " has capacity " + cap + ", not " + (pos0 + m) + " tokens");
        }
        MemorySegment kd = keys[layer], vd = values[layer];
        for (int t = 0; t < m; t++) {
            for (int h = 0; h < nKvHeads; h++) {
                int src = (t * nKvHeads + h) * headDim;
                MemorySegment.copy(k, src, kd, ValueLayout.JAVA_FLOAT, at(h, cap, pos0 + t), headDim);
                MemorySegment.copy(v, src, vd, ValueLayout.JAVA_FLOAT, at(h, cap, pos0 + t), headDim);
            }
        }
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
        MemorySegment kd = keys[layer], vd = values[layer];
        int rowBytes = (int) dtype.rowBytes(headDim);
        byte[] sk = dtype.quantized() ? new byte[nKvHeads * rowBytes] : null;
        byte[] sv = dtype.quantized() ? new byte[nKvHeads * rowBytes] : null;
        for (int h = 0; h < nKvHeads; h++) {
            int slot = length[layer][h];
            long dst = at(h, cap, slot);
            int src = h * headDim;
            switch (dtype) {
                case F32 -> {
                    MemorySegment.copy(k, kOff + src, kd, ValueLayout.JAVA_FLOAT, dst, headDim);
                    MemorySegment.copy(v, vOff + src, vd, ValueLayout.JAVA_FLOAT, dst, headDim);
                }
                case F16 -> {
                    for (int d = 0; d < headDim; d++) {
                        kd.set(ValueLayout.JAVA_SHORT, dst + 2L * d, Half.f32ToF16(k[kOff + src + d]));
                        vd.set(ValueLayout.JAVA_SHORT, dst + 2L * d, Half.f32ToF16(v[vOff + src + d]));
                    }
                }
                case Q8_0, Q4_0 -> {
                    // Head h of a one-slot cache: the kernel writes the scratch at h · rowBytes.
                    if (dtype == Dtype.Q8_0) KvCompaction.appendQ8_0(h, k, kOff, v, vOff, headDim, 0, 1, sk, sv);
                    else KvCompaction.appendQ4_0(h, k, kOff, v, vOff, headDim, 0, 1, sk, sv);
                    MemorySegment.copy(sk, h * rowBytes, kd, ValueLayout.JAVA_BYTE, dst, rowBytes);
                    MemorySegment.copy(sv, h * rowBytes, vd, ValueLayout.JAVA_BYTE, dst, rowBytes);
                }
            }
            positions[layer][h][slot] = position;
            length[layer][h] = slot + 1;
        }
    }

    /**
     * The storage of {@code layer}'s keys: {@code [kvHead][capacity]} rows of {@link Dtype#rowBytes}
     * bytes (native-order floats for F32, binary16 bits for F16, GGUF blocks for Q8_0/Q4_0). Valid
     * until {@link #close}; reading it afterwards is an {@link IllegalStateException}.
     */
    public MemorySegment keys(int layer) {
        ensure(layer);
        return keys[layer];
    }

    /** The storage of {@code layer}'s values, laid out as {@link #keys}. */
    public MemorySegment values(int layer) {
        ensure(layer);
        return values[layer];
    }

    /** Whether {@link #close} freed the storage. */
    public boolean isFreed() {
        return freed;
    }

    /**
     * Frees the storage now (idempotent). What the cache recorded (lengths, positions, bytes) stays
     * readable; its keys and values do not.
     */
    @Override
    public void close() {
        synchronized (this) {
            freed = true;
        }
        freeing.clean();
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

    /** A copy of the keys of {@code layer}, {@code [kvHead][capacity][headDim]}; null unless F32. */
    public float[] keysF32(int layer) {
        return dtype == Dtype.F32 ? keys(layer).toArray(ValueLayout.JAVA_FLOAT) : null;
    }

    /** A copy of the values of {@code layer}, {@code [kvHead][capacity][headDim]}; null unless F32. */
    public float[] valuesF32(int layer) {
        return dtype == Dtype.F32 ? values(layer).toArray(ValueLayout.JAVA_FLOAT) : null;
    }

    /** A copy of the keys of {@code layer} as binary16 bits; null unless F16. */
    public short[] keysF16(int layer) {
        return dtype == Dtype.F16 ? keys(layer).toArray(ValueLayout.JAVA_SHORT) : null;
    }

    /** A copy of the values of {@code layer} as binary16 bits; null unless F16. */
    public short[] valuesF16(int layer) {
        return dtype == Dtype.F16 ? values(layer).toArray(ValueLayout.JAVA_SHORT) : null;
    }

    /**
     * A copy of the keys of {@code layer} as Q8_0 or Q4_0 blocks, {@code [kvHead][capacity][headDim / 32 blocks]};
     * null unless quantized.
     */
    public byte[] keysQuant(int layer) {
        return dtype.quantized() ? keys(layer).toArray(ValueLayout.JAVA_BYTE) : null;
    }

    /** A copy of the values of {@code layer} as Q8_0 or Q4_0 blocks, laid out as {@link #keysQuant}; null unless quantized. */
    public byte[] valuesQuant(int layer) {
        return dtype.quantized() ? values(layer).toArray(ValueLayout.JAVA_BYTE) : null;
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
