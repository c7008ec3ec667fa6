package dev.windowkv.kernels.kv;

import dev.windowkv.kernels.Half;

/**
 * Moves keys and values into the cache layout {@code [kvHead][slot][headDim]} (one layer):
 * {@link #gatherF32}/{@link #gatherF16} compact the kept prompt tokens out of the prefill tensors
 * {@code [n][nKvHeads][headDim]}; {@link #appendF32}/{@link #appendF16} store one decoded token.
 * F16 stores IEEE binary16 bits, rounded to nearest even.
 */
public final class KvCompaction {
    private KvCompaction() {}

    /**
     * Work item {@code item = kvh * keptCount + t}: copies prompt token {@code kept[item]} of KV
     * head {@code kvh} into slot {@code t}. {@code kept} is {@code [nKvHeads][keptCount]}.
     */
    public static void gatherF32(int item, float[] k, float[] v, int nKvHeads, int headDim,
                                 int[] kept, int keptCount, int capacity, float[] kDst, float[] vDst) {
        int kvh = item / keptCount;
        int t = item % keptCount;
        int src = (kept[item] * nKvHeads + kvh) * headDim;
        int dst = (kvh * capacity + t) * headDim;
        for (int d = 0; d < headDim; d++) {
            kDst[dst + d] = k[src + d];
            vDst[dst + d] = v[src + d];
        }
    }

    /** {@link #gatherF32} into binary16 storage. */
    public static void gatherF16(int item, float[] k, float[] v, int nKvHeads, int headDim,
                                 int[] kept, int keptCount, int capacity, short[] kDst, short[] vDst) {
        int kvh = item / keptCount;
        int t = item % keptCount;
        int src = (kept[item] * nKvHeads + kvh) * headDim;
        int dst = (kvh * capacity + t) * headDim;
        for (int d = 0; d < headDim; d++) {
            kDst[dst + d] = Half.f32ToF16(k[src + d]);
            vDst[dst + d] = Half.f32ToF16(v[src + d]);
        }
    }

    /** Work item {@code kvh}: stores head {@code kvh} of one token ({@code [nKvHeads][headDim]} at the offsets) in {@code slot}. */
    public static void appendF32(int kvh, float[] k, int kOff, float[] v, int vOff, int headDim,
                                 int slot, int capacity, float[] kDst, float[] vDst) {
        int src = kvh * headDim;
        int dst = (kvh * capacity + slot) * headDim;
        for (int d = 0; d < headDim; d++) {
            kDst[dst + d] = k[kOff + src + d];
            vDst[dst + d] = v[vOff + src + d];
        }
    }

    /** {@link #appendF32} into binary16 storage. */
    public static void appendF16(int kvh, float[] k, int kOff, float[] v, int vOff, int headDim,
                                 int slot, int capacity, short[] kDst, short[] vDst) {
        int src = kvh * headDim;
        int dst = (kvh * capacity + slot) * headDim;
        for (int d = 0; d < headDim; d++) {
            kDst[dst + d] = Half.f32ToF16(k[kOff + src + d]);
            vDst[dst + d] = Half.f32ToF16(v[vOff + src + d]);
        }
    }
}
