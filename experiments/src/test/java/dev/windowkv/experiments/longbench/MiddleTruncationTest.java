package dev.windowkv.experiments.longbench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class MiddleTruncationTest {

    @Test
    void keepsTheFirstAndLastHalf() {
        int[] ids = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        // max 6: half = 3 -> ids[:3] + ids[-3:]
        assertArrayEquals(new int[] {0, 1, 2, 7, 8, 9}, MiddleTruncation.truncate(ids, 6));
        // max 7: half = int(7/2) = 3, so an odd limit keeps 6 ids, as WindowKV's code does
        assertArrayEquals(new int[] {0, 1, 2, 7, 8, 9}, MiddleTruncation.truncate(ids, 7));
    }

    @Test
    void aPromptThatFitsIsUntouched() {
        int[] ids = {4, 5, 6};
        assertSame(ids, MiddleTruncation.truncate(ids, 3));
    }

    @Test
    void llama3KeepsTheFirst3975AndTheLast3975() {
        int[] ids = IntStream.range(0, 10_000).toArray();
        int[] kept = MiddleTruncation.truncate(ids, MiddleTruncation.LLAMA3_8B_MAX_INPUT);
        assertEquals(7950, kept.length);
        assertEquals(3974, kept[3974]);
        assertEquals(10_000 - 3975, kept[3975]); // 6025: the first id of the kept tail
        assertEquals(9999, kept[7949]);
    }

    @Test
    void aRenderedPromptKeepsItsInstructionsAndQuestion() {
        WordTokenizer tokenizer = new WordTokenizer();
        String prompt = new PromptTemplate("Read this: {context} Question: {input} Answer:")
                .render("w1 w2 w3 w4 w5 w6 w7 w8", "who?");
        // 2 + 8 + 3 = 13 words; limit 8 keeps the first 4 and the last 4, dropping w3..w7.
        int[] kept = MiddleTruncation.truncate(tokenizer.encode(prompt), 8);
        assertEquals("Read this: w1 w2 w8 Question: who? Answer:", tokenizer.decode(kept));
    }
}
