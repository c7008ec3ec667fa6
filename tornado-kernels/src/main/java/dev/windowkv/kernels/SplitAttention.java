package dev.windowkv.kernels;

/**
 * Decode attention split over the cache (split-K, "flash-decoding"): {@link Attention#decode}'s one
 * query per head over the whole cache becomes, per head, one {@link #partial} per block of
 * {@link #SLOTS} cache slots, each an online softmax over its block alone, and one {@link #combine}
 * that rescales the partials to the common max and normalises. A device then runs query heads ×
 * splits work items instead of one per query head, which a long cache leaves with nothing to do.
 *
 * <p>Scratch layout, per head: partial {@code p = head * splits + split} holds its max
 * {@code partMax[p]}, its sum of {@code exp(score - max)} {@code partSum[p]}, and its unnormalised
 * output {@code partOut[p * headDim .. + headDim)}. Cache layout as {@link Attention#decode}:
 * {@code [kvHead][capacity][headDim]}, the first {@code length} slots valid.
 */
public final class SplitAttention {
    private SplitAttention() {}

    /**
     * Cache slots per split. Small enough that a GPU gets many work items (a 16k cache gives 256
     * splits per query head, where one work item per head left the device all but idle), large
     * enough that the combine stays cheap: a split's partial is {@code headDim + 2} floats, written
     * once and read once, against the {@code 2 · SLOTS · headDim} floats of keys and values it
     * reads: 1/128 per query head, about 3% each way with 4 query heads per KV head (Llama 3's
     * GQA). And a short cache combines a handful of partials: the combine reads only the splits
     * that hold keys. 128 would halve that scratch and the work items. A multiple of 64 also
     * divides the decoder's cache capacities (multiples of 256) exactly.
     */
    public static final int SLOTS = 64;

    /** Splits of a cache of {@code capacity} slots: the partial pass's work items per head, fixed per compiled plan. */
    public static int splits(int capacity) {
        return (capacity + SLOTS - 1) / SLOTS;
    }

    /** Splits that hold at least one of the {@code length} valid slots: the ones {@link #combine} reads. */
    public static int used(int length) {
        return (length + SLOTS - 1) / SLOTS;
    }

    /**
     * Partial {@code p} of one query (at {@code q[qOff..]}) over split {@code split} of KV head
     * {@code kvHead}: the slots {@code [split · SLOTS, min((split + 1) · SLOTS, length))}. This is
     * {@code Attention.attend}'s online softmax without its final normalisation. A split past the
     * length has no keys and writes an empty partial (max −∞, sum 0, output 0), which the combine
     * never reads.
     */
    public static void partial(float[] q, int qOff, float[] kCache, float[] vCache, int capacity, int length,
                               int kvHead, int headDim, float scale, int split,
                               float[] partMax, float[] partSum, float[] partOut, int p) {
        int from = split * SLOTS;
        int to = KMath.min(from + SLOTS, length);
        int base = kvHead * capacity * headDim;
        int outOff = p * headDim;
        for (int d = 0; d < headDim; d++) partOut[outOff + d] = 0f;
        float max = Float.NEGATIVE_INFINITY;
        float sum = 0f;
        for (int j = from; j < to; j++) {
            int kOff = base + j * headDim;
            float s = 0f;
            for (int d = 0; d < headDim; d++) s += q[qOff + d] * kCache[kOff + d];
            s *= scale;
            if (s > max) {
                float r = KMath.exp(max - s);
                sum *= r;
                for (int d = 0; d < headDim; d++) partOut[outOff + d] *= r;
                max = s;
            }
            float prob = KMath.exp(s - max);
            sum += prob;
            for (int d = 0; d < headDim; d++) partOut[outOff + d] += prob * vCache[kOff + d];
        }
        partMax[p] = max;
        partSum[p] = sum;
    }

    /**
     * Element {@code d} of one head's attention output from its partials {@code first ..
     * first + used - 1} ({@code first = head · splits}): each partial's sum and output are scaled
     * by {@code exp(max_i − M)}, M the largest max, then the output is divided by the scaled sum.
     * Only splits that hold keys are read, so no {@code exp(−∞ − (−∞))} (NaN) can arise; with
     * {@code length ≥ 1} the first split always holds one.
     */
    public static float combine(float[] partMax, float[] partSum, float[] partOut, int first, int used, int headDim,
                                int d) {
        float m = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < used; i++) m = KMath.max(m, partMax[first + i]);
        float sum = 0f;
        float acc = 0f;
        for (int i = 0; i < used; i++) {
            float w = KMath.exp(partMax[first + i] - m);
            sum += w * partSum[first + i];
            acc += w * partOut[(first + i) * headDim + d];
        }
        return acc / sum;
    }
}
