package dev.windowkv.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * BPE merges keyed by token ids: the rank, the merged token, the first rank of a pair listed twice,
 * and the merges that name a side which is not a token (kept by text).
 */
class MergeRanksTest {
    /** A byte-level vocabulary: the letters, then the given tokens. */
    private static Vocabulary vocab(String... more) {
        String[] texts = new String[4 + more.length];
        texts[0] = "a";
        texts[1] = "b";
        texts[2] = "c";
        texts[3] = "d";
        System.arraycopy(more, 0, texts, 4, more.length);
        return new Vocabulary(texts, null, null);
    }

    private static int[] encode(Vocabulary vocab, String... merges) {
        return new BytePairTokenizer(vocab, merges, PreTokenizer.GPT2, false).encodeWord("abcd");
    }

    @Test
    void aPairOfTokensHasItsRankAndMergedToken() {
        Vocabulary v = vocab("ab", "cd", "abcd");
        MergeRanks ranks = new MergeRanks(new String[] {"c d", "a b", "ab cd", "a b"}, v);
        assertEquals(1, ranks.rank(ranks.slot(v.id("a"), v.id("b"))), "the first line of a pair listed twice wins");
        assertEquals(0, ranks.rank(ranks.slot(v.id("c"), v.id("d"))));
        assertEquals(-1, ranks.slot(v.id("b"), v.id("c")));
        assertEquals(v.id("abcd"), ranks.merged(ranks.slot(v.id("ab"), v.id("cd"))));
        assertArrayEquals(new int[] {v.id("abcd")}, encode(v, "c d", "a b", "ab cd"));
    }

    @Test
    void lowerRanksMergeFirst() {
        Vocabulary v = vocab("ab", "bc", "abc");
        // "b c" (rank 0) before "a b" (rank 1): a + bc, then "a bc" gives abc
        assertArrayEquals(new int[] {v.id("abc"), v.id("d")}, encode(v, "b c", "a b", "a bc"));
        // "a b" first: ab + c, and no "ab c" merge: ab, c, d
        assertArrayEquals(new int[] {v.id("ab"), v.id("c"), v.id("d")}, encode(v, "a b", "b c", "a bc"));
    }

    @Test
    void aMergeThroughASymbolThatIsNoTokenIsKeptByText() {
        // "ab" is not a token, yet "a b" then "ab c" make "abc", as llama.cpp's string-keyed ranks do
        Vocabulary v = vocab("abc");
        MergeRanks ranks = new MergeRanks(new String[] {"a b", "ab c"}, v);
        assertEquals(1, ranks.rankOfTexts("ab", "c"));
        assertArrayEquals(new int[] {v.id("abc"), v.id("d")}, encode(v, "a b", "ab c"));
    }
}
