package dev.windowkv.kernels;

/**
 * Greedy sampling's argmax over the logits, in two passes a device runs as two launches: each block
 * of {@link #BLOCK} logits finds its best, then one work item picks the best block. The lowest index
 * wins a tie in both passes, so the result is the host's left-to-right scan ({@code Sampler.argmax}):
 * the first index of the largest value. No {@code @Reduce}: TornadoVM renames a reducing task's graph
 * (see facts.md), which the decoder's graph links cannot follow. One difference from the scan: a
 * block that starts with NaN keeps it (NaN is never beaten), where the scan would skip it; logits are
 * finite.
 */
public final class Argmax {
    private Argmax() {}

    /** Logits per block of the first pass. */
    public static final int BLOCK = 256;

    /** Blocks of the first pass over {@code n} values. */
    public static int blocks(int n) {
        return (n + BLOCK - 1) / BLOCK;
    }

    /** Block {@code b} of {@code x[0..n)}: the first index of its largest value and that value. */
    public static void block(float[] x, int n, int b, int[] bestIndex, float[] bestValue) {
        int from = b * BLOCK;
        int to = KMath.min(from + BLOCK, n);
        int best = from;
        for (int i = from + 1; i < to; i++) {
            if (x[i] > x[best]) best = i;
        }
        bestIndex[b] = best;
        bestValue[b] = x[best];
    }

    /** The first of {@code blocks} blocks with the largest best value: the argmax of the whole. */
    public static int ofBlocks(int[] bestIndex, float[] bestValue, int blocks) {
        int best = 0;
        for (int b = 1; b < blocks; b++) {
            if (bestValue[b] > bestValue[best]) best = b;
        }
        return bestIndex[best];
    }
}
