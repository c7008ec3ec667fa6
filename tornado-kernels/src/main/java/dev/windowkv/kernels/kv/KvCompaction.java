package dev.windowkv.kernels.kv;

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
            kDst[dst + d] = toHalf(k[src + d]);
            vDst[dst + d] = toHalf(v[src + d]);
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
            kDst[dst + d] = toHalf(k[kOff + src + d]);
            vDst[dst + d] = toHalf(v[vOff + src + d]);
        }
    }

    // Private until dev.windowkv.kernels.Half lands from the quant-kernels branch; then call that.
    private static short toHalf(float f) {
        int x = Float.floatToRawIntBits(f);
        int sign = (x >>> 16) & 0x8000;
        int exp = (x >>> 23) & 0xff;
        int mant = x & 0x7fffff;
        if (exp == 0xff) {
            return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0));
        }
        int e = exp - 127 + 15;
        if (e >= 0x1f) {
            return (short) (sign | 0x7c00);
        }
        if (e <= 0) {
            if (e < -10) {
                return (short) sign;
            }
            int m = mant | 0x800000;
            int shift = 14 - e;
            int half = m >>> shift;
            int rem = m & ((1 << shift) - 1);
            int mid = 1 << (shift - 1);
            if (rem > mid || (rem == mid && (half & 1) != 0)) {
                half++;
            }
            return (short) (sign | half);
        }
        int half = (e << 10) | (mant >>> 13);
        int rem = mant & 0x1fff;
        if (rem > 0x1000 || (rem == 0x1000 && (half & 1) != 0)) {
            half++; // a carry into the exponent is the correct rounding (up to infinity)
        }
        return (short) (sign | half);
    }
}
