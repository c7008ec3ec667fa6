package dev.windowkv.experiments.longbench;

import java.util.Arrays;

/**
 * LongBench's middle truncation on token ids (spec §5): a prompt longer than {@code maxLength}
 * keeps its first {@code maxLength/2} and last {@code maxLength/2} ids, since the instructions
 * sit at both ends. WindowKV feeds the kept ids straight to the model; KVCache-Factory instead
 * decodes the halves and re-tokenizes, which this does not do.
 */
public final class MiddleTruncation {
    /** The paper's maximum input for Llama-3-8B-Instruct: 3975 + 3975 ids. */
    public static final int LLAMA3_8B_MAX_INPUT = 7950;
    /** The paper's maximum input for Qwen2.5-1.5B-Instruct. */
    public static final int QWEN25_1_5B_MAX_INPUT = 15500;

    private MiddleTruncation() {
    }

    /**
     * @return {@code ids} itself when it fits, else the first and last {@code maxLength/2} ids
     *         (an odd {@code maxLength} therefore keeps {@code maxLength - 1} ids, as Python's
     *         {@code int(max_length/2)} does)
     */
    public static int[] truncate(int[] ids, int maxLength) {
        if (maxLength < 2) {
            throw new IllegalArgumentException("maxLength must be at least 2, got " + maxLength);
        }
        if (ids.length <= maxLength) {
            return ids;
        }
        int half = maxLength / 2;
        int[] kept = Arrays.copyOf(ids, 2 * half);
        System.arraycopy(ids, ids.length - half, kept, half, half);
        return kept;
    }
}
