package dev.windowkv.experiments.tasks;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class WordTokenizerTest {
    @Test
    void oneTokenPerWordDigitAndMark() {
        WordTokenizer tokenizer = new WordTokenizer();
        // The, special, magic, number, for, mango, is, 7, 1, 4, .
        assertEquals(11, tokenizer.encode("The special magic number for mango is 714.").length);
        assertEquals("VAR BCDFG = VAR", tokenizer.decode(tokenizer.encode("VAR BCDFG = VAR")));
    }
}
