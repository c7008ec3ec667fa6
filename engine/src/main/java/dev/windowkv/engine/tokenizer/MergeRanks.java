package dev.windowkv.engine.tokenizer;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * BPE merge ranks ({@code tokenizer.ggml.merges}, rank = line number, the first line of a pair wins),
 * keyed by the token ids of the pair's two sides, with the id of what they merge into.
 *
 * <p>A 128k vocabulary has ~280,000 merges. Keyed by "left\nright" strings in a {@code HashMap} they
 * held ~45 MiB of strings, nodes and boxed ranks for the life of the model; two ids packed in a
 * {@code long}, in an open-addressed table at most three-quarters full, take 8 MiB. Merges naming a side that
 * is not itself a token cannot be keyed by ids; they keep their strings (none in llama.cpp's
 * vocabularies, so the map is empty in practice).
 */
final class MergeRanks {
    private static final long EMPTY = -1L;

    private final long[] keys;
    private final int[] ranks;
    private final int[] merged;
    private final int mask;
    private final Map<String, Integer> byText = new HashMap<>();

    MergeRanks(String[] merges, Vocabulary vocab) {
        int slots = Vocabulary.tableSlots(merges.length);
        keys = new long[slots];
        ranks = new int[slots];
        merged = new int[slots];
        mask = slots - 1;
        Arrays.fill(keys, EMPTY);
        for (int rank = 0; rank < merges.length; rank++) {
            String merge = merges[rank];
            int space = merge.indexOf(' ', 1);
            if (space < 0) continue; // not "left right": no pair of symbols can match it
            String left = merge.substring(0, space), right = merge.substring(space + 1);
            int l = vocab.id(left), r = vocab.id(right);
            if (l < 0 || r < 0) {
                byText.putIfAbsent(textKey(left, right), rank);
                continue;
            }
            int slot = find(pair(l, r));
            if (keys[slot] != EMPTY) continue;
            keys[slot] = pair(l, r);
            ranks[slot] = rank;
            merged[slot] = vocab.id(left + right);
        }
    }

    /** The slot holding {@code key}, or the empty slot where it would go. */
    private int find(long key) {
        int slot = Long.hashCode(key * 0x9E3779B97F4A7C15L) & mask;
        while (keys[slot] != EMPTY && keys[slot] != key) slot = (slot + 1) & mask;
        return slot;
    }

    private static long pair(int left, int right) {
        return (long) left << 32 | (right & 0xFFFFFFFFL);
    }

    private static String textKey(String left, String right) {
        return left + "\n" + right; // byte-level tokens never hold a raw newline
    }

    /** The slot of the merge of tokens {@code left} and {@code right}, -1 when they do not merge. */
    int slot(int left, int right) {
        int slot = find(pair(left, right));
        return keys[slot] == EMPTY ? -1 : slot;
    }

    /** The rank of the merge in {@code slot}. */
    int rank(int slot) {
        return ranks[slot];
    }

    /** The token the merge in {@code slot} makes, -1 when its result is not a token. */
    int merged(int slot) {
        return merged[slot];
    }

    /** True when some merge names a side that is not a token. */
    boolean hasTextMerges() {
        return !byText.isEmpty();
    }

    /** The rank of a merge naming a side that is not a token, by its texts; -1 when there is none. */
    int rankOfTexts(String left, String right) {
        Integer rank = byText.get(textKey(left, right));
        return rank == null ? -1 : rank;
    }
}
