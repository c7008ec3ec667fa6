package dev.windowkv.engine.kvcache;

import java.util.Arrays;

/**
 * The prompt tokens a layer keeps: per KV head an array of prompt indices, or "keep all" in prompt
 * order. Most policies keep the same count in every head; head-adaptive ones ({@link AdaKvPolicy})
 * keep a different count per head ({@link #ragged}), and the cache then holds a length per head.
 * The order of the indices is the order of the cache slots; it does not change attention because
 * keys are cached after RoPE. Optionally it also names key channels to prune per KV head
 * ({@link ThinKPolicy}): the cache zeroes them in the kept prompt keys.
 */
public final class KeptTokens {
    private final int promptLength;
    private final int[][] perKvHead; // null: keep all
    private final boolean ragged;
    private final boolean[][] prunedKeyChannels; // [kvHead][headDim], null: none

    private KeptTokens(int promptLength, int[][] perKvHead, boolean ragged, boolean[][] prunedKeyChannels) {
        this.promptLength = promptLength;
        this.perKvHead = perKvHead;
        this.ragged = ragged;
        this.prunedKeyChannels = prunedKeyChannels;
    }

    /** Keeps all {@code n} prompt tokens in order (no compression). */
    public static KeptTokens all(int n) {
        return new KeptTokens(n, null, false, null);
    }

    /** Per-KV-head selections (the baselines select per head); all rows must have one length. */
    public static KeptTokens perKvHead(int n, int[][] indices) {
        for (int[] row : indices) {
            if (row.length != indices[0].length) {
                throw new IllegalArgumentException("every KV head must keep the same number of tokens");
            }
        }
        check(n, indices);
        return new KeptTokens(n, indices, false, null);
    }

    /** Per-KV-head selections of different lengths (head-adaptive budgets); a row may be empty. */
    public static KeptTokens ragged(int n, int[][] indices) {
        check(n, indices);
        return new KeptTokens(n, indices, true, null);
    }

    private static void check(int n, int[][] indices) {
        for (int[] row : indices) {
            for (int i : row) {
                if (i < 0 || i >= n) {
                    throw new IllegalArgumentException("kept index " + i + " outside the prompt [0, " + n + ")");
                }
            }
        }
    }

    /** One selection shared by every KV head (WindowKV). */
    public static KeptTokens shared(int n, int[] indices, int nKvHeads) {
        int[][] rows = new int[nKvHeads][];
        Arrays.fill(rows, indices);
        return perKvHead(n, rows);
    }

    /** The same tokens, with key channels {@code pruned[kvHead][channel]} to zero in the cache. */
    public KeptTokens withPrunedKeyChannels(boolean[][] pruned) {
        boolean[][] copy = new boolean[pruned.length][];
        for (int h = 0; h < pruned.length; h++) copy[h] = pruned[h].clone();
        return new KeptTokens(promptLength, perKvHead, ragged, copy);
    }

    public boolean keepsAll() {
        return perKvHead == null;
    }

    /** Whether the heads keep different counts (the cache then holds a length per head). */
    public boolean isRagged() {
        return ragged;
    }

    public int promptLength() {
        return promptLength;
    }

    /** Tokens kept per KV head; for {@link #ragged} selections the most any head keeps (the slots a layer needs). */
    public int count() {
        if (perKvHead == null) return promptLength;
        int max = 0;
        for (int[] row : perKvHead) max = Math.max(max, row.length);
        return max;
    }

    /** Tokens kept by KV head {@code kvHead}. */
    public int count(int kvHead) {
        return perKvHead == null ? promptLength : perKvHead[kvHead].length;
    }

    /** The kept prompt indices of KV head {@code kvHead}, in slot order (a copy). */
    public int[] indices(int kvHead) {
        if (perKvHead == null) {
            int[] all = new int[promptLength];
            Arrays.setAll(all, i -> i);
            return all;
        }
        return perKvHead[kvHead].clone();
    }

    /** Whether key channel {@code channel} of KV head {@code kvHead} is pruned. */
    public boolean prunesKeyChannel(int kvHead, int channel) {
        return prunedKeyChannels != null && prunedKeyChannels[kvHead][channel];
    }

    /** Whether any key channel is pruned. */
    public boolean prunesKeyChannels() {
        return prunedKeyChannels != null;
    }

    /**
     * {@code [nKvHeads][count]} flattened, as the compaction kernel reads it. A head of a ragged
     * selection that keeps fewer than {@link #count()} is padded with its last index (or 0): the
     * padding slots are gathered but lie past the head's length, so attention never reads them.
     */
    public int[] flat(int nKvHeads) {
        if (perKvHead != null && perKvHead.length != nKvHeads) {
            throw new IllegalArgumentException("selection has " + perKvHead.length + " KV heads, the cache " + nKvHeads);
        }
        int c = count();
        int[] flat = new int[nKvHeads * c];
        for (int h = 0; h < nKvHeads; h++) {
            if (perKvHead == null) {
                for (int t = 0; t < c; t++) {
                    flat[h * c + t] = t;
                }
            } else {
                int[] row = perKvHead[h];
                System.arraycopy(row, 0, flat, h * c, row.length);
                Arrays.fill(flat, h * c + row.length, (h + 1) * c, row.length == 0 ? 0 : row[row.length - 1]);
            }
        }
        return flat;
    }

    @Override
    public String toString() {
        return perKvHead == null ? "all(" + promptLength + ")" : Arrays.deepToString(perKvHead);
    }
}
