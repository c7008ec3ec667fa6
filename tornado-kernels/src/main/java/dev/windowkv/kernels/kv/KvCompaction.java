package dev.windowkv.kernels.kv;

import dev.windowkv.kernels.Half;
import dev.windowkv.kernels.quant.Q4_0;
import dev.windowkv.kernels.quant.Q8_0;

/**
 * Moves keys and values into the cache layout {@code [kvHead][slot][headDim]} (one layer):
 * {@link #gatherF32}/{@link #gatherF16} compact the kept prompt tokens out of the prefill tensors
 * {@code [n][nKvHeads][headDim]}; {@link #appendF32}/{@link #appendF16} store one decoded token.
 * F16 stores IEEE binary16 bits, rounded to nearest even. Q8_0 and Q4_0 store each token's head
 * as {@code headDim / 32} GGUF blocks along the head dimension ({@code headDim / 32 × 34} or
 * {@code × 18} bytes a slot), quantized as llama.cpp quantizes weights.
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

    /** {@link #gatherF32} into Q8_0 blocks; {@code headDim} is a multiple of 32. */
    public static void gatherQ8_0(int item, float[] k, float[] v, int nKvHeads, int headDim,
                                  int[] kept, int keptCount, int capacity, byte[] kDst, byte[] vDst) {
        int kvh = item / keptCount;
        int t = item % keptCount;
        int src = (kept[item] * nKvHeads + kvh) * headDim;
        storeQ8_0(k, src, v, src, headDim, kDst, vDst, (kvh * capacity + t) * (headDim / Q8_0.BLOCK_SIZE) * Q8_0.TYPE_SIZE);
    }

    /** {@link #gatherF32} into Q4_0 blocks; {@code headDim} is a multiple of 32. */
    public static void gatherQ4_0(int item, float[] k, float[] v, int nKvHeads, int headDim,
                                  int[] kept, int keptCount, int capacity, byte[] kDst, byte[] vDst) {
        int kvh = item / keptCount;
        int t = item % keptCount;
        int src = (kept[item] * nKvHeads + kvh) * headDim;
        storeQ4_0(k, src, v, src, headDim, kDst, vDst, (kvh * capacity + t) * (headDim / Q4_0.BLOCK_SIZE) * Q4_0.TYPE_SIZE);
    }

    /** {@link #appendF32} into Q8_0 blocks. */
    public static void appendQ8_0(int kvh, float[] k, int kOff, float[] v, int vOff, int headDim,
                                  int slot, int capacity, byte[] kDst, byte[] vDst) {
        int src = kvh * headDim;
        storeQ8_0(k, kOff + src, v, vOff + src, headDim, kDst, vDst,
                (kvh * capacity + slot) * (headDim / Q8_0.BLOCK_SIZE) * Q8_0.TYPE_SIZE);
    }

    /** One token of one head: its key and its value as {@code headDim / 32} Q8_0 blocks each, at {@code dst}. */
    private static void storeQ8_0(float[] k, int kSrc, float[] v, int vSrc, int headDim, byte[] kDst, byte[] vDst, int dst) {
        for (int b = 0; b < headDim / Q8_0.BLOCK_SIZE; b++) {
            Q8_0.quantizeBlock(k, kSrc + b * Q8_0.BLOCK_SIZE, kDst, dst + b * Q8_0.TYPE_SIZE);
            Q8_0.quantizeBlock(v, vSrc + b * Q8_0.BLOCK_SIZE, vDst, dst + b * Q8_0.TYPE_SIZE);
        }
    }

    /** {@link #appendF32} into Q4_0 blocks. */
    public static void appendQ4_0(int kvh, float[] k, int kOff, float[] v, int vOff, int headDim,
                                  int slot, int capacity, byte[] kDst, byte[] vDst) {
        int src = kvh * headDim;
        storeQ4_0(k, kOff + src, v, vOff + src, headDim, kDst, vDst,
                (kvh * capacity + slot) * (headDim / Q4_0.BLOCK_SIZE) * Q4_0.TYPE_SIZE);
    }

    /** One token of one head: its key and its value as {@code headDim / 32} Q4_0 blocks each, at {@code dst}. */
    private static void storeQ4_0(float[] k, int kSrc, float[] v, int vSrc, int headDim, byte[] kDst, byte[] vDst, int dst) {
        for (int b = 0; b < headDim / Q4_0.BLOCK_SIZE; b++) {
            Q4_0.quantizeBlock(k, kSrc + b * Q4_0.BLOCK_SIZE, kDst, dst + b * Q4_0.TYPE_SIZE);
            Q4_0.quantizeBlock(v, vSrc + b * Q4_0.BLOCK_SIZE, vDst, dst + b * Q4_0.TYPE_SIZE);
        }
    }
}
