package dev.windowkv.engine.kvcache;

import java.util.Arrays;

/**
 * The prompt tokens a layer keeps: per KV head an array of prompt indices (the same count for
 * every head, so the cache length is per layer), or "keep all" in prompt order. The order of the
 * indices is the order of the cache slots; it does not change attention because keys are cached
 * after RoPE.
 */
public final class KeptTokens {
    private final int promptLength;
    private final int[][] perKvHead; // null: keep all

    private KeptTokens(int promptLength, int[][] perKvHead) {
        this.promptLength = promptLength;
        this.perKvHead = perKvHead;
    }

    /** Keeps all {@code n} prompt tokens in order (no compression). */
    public static KeptTokens all(int n) {
        return new KeptTokens(n, null);
    }

    /** Per-KV-head selections (the baselines select per head); all rows must have one length. */
    public static KeptTokens perKvHead(int n, int[][] indices) {
        for (int[] row : indices) {
            if (row.length != indices[0].length) {
                throw new IllegalArgumentException("every KV head must keep the same number of tokens");
            }
            for (int i : row) {
                if (i < 0 || i >= n) {
                    throw new IllegalArgumentException("kept index " + i + " outside the prompt [0, " + n + ")");
                }
            }
        }
        return new KeptTokens(n, indices);
    }

    /** One selection shared by every KV head (WindowKV). */
    public static KeptTokens shared(int n, int[] indices, int nKvHeads) {
        int[][] rows = new int[nKvHeads][];
        Arrays.fill(rows, indices);
        return perKvHead(n, rows);
    }

    public boolean keepsAll() {
        return perKvHead == null;
    }

    public int promptLength() {
        return promptLength;
    }

    /** Tokens kept per KV head. */
    public int count() {
        return perKvHead == null ? promptLength : perKvHead[0].length;
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

    /** {@code [nKvHeads][count]} flattened, as the compaction kernel reads it. */
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
                System.arraycopy(perKvHead[h], 0, flat, h * c, c);
            }
        }
        return flat;
    }

    @Override
    public String toString() {
        return perKvHead == null ? "all(" + promptLength + ")" : Arrays.deepToString(perKvHead);
    }
}
