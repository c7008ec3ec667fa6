package dev.windowkv.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Word splits, spelled out. */
class PreTokenizerTest {
    static List<String> words(PreTokenizer p, String text) {
        int[] cps = text.codePoints().toArray();
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int end : p.split(cps)) {
            out.add(new String(cps, start, end - start));
            start = end;
        }
        return out;
    }

    @Test
    void llama3GroupsDigitsByThreeAndKeepsOneLeadingCharacterOnWords() {
        assertEquals(List.of("Hello", " world", " ", "123", "45"), words(PreTokenizer.LLAMA3, "Hello world 12345"));
        assertEquals(List.of("I", "'M", " fine", "!\n"), words(PreTokenizer.LLAMA3, "I'M fine!\n"));
        assertEquals(List.of("(x", ")"), words(PreTokenizer.LLAMA3, "(x)"));
    }

    @Test
    void qwen2SplitsDigitsOneByOne() {
        assertEquals(List.of("Hello", " world", " ", "1", "2", "3"), words(PreTokenizer.QWEN2, "Hello world 123"));
    }

    @Test
    void gpt2ContractionsAreCaseSensitiveAndSpacesGoWithTheNextWord() {
        assertEquals(List.of("I", "'m", " fine"), words(PreTokenizer.GPT2, "I'm fine"));
        assertEquals(List.of("I", "'", "M"), words(PreTokenizer.GPT2, "I'M"));
        assertEquals(List.of("a", " 12", "!!"), words(PreTokenizer.GPT2, "a 12!!"));
    }

    @Test
    void whitespaceRunsLeaveTheirLastSpaceToTheNextWord() {
        assertEquals(List.of("a", "  ", " b"), words(PreTokenizer.LLAMA3, "a   b"));
        assertEquals(List.of("a", "   "), words(PreTokenizer.LLAMA3, "a   "));
        // \s*[\r\n]+ : spaces then newlines form one word, in the Llama 3 family only
        assertEquals(List.of("a", " \n\n", "b"), words(PreTokenizer.LLAMA3, "a \n\nb"));
        assertEquals(List.of("a", " \n", "\n", "b"), words(PreTokenizer.GPT2, "a \n\nb"));
    }

    @Test
    void unicodeLettersNumbersAndWhitespace() {
        // Cyrillic letters are \p{L}; U+00A0 (no-break space) is \s; '½' is \p{N}
        assertEquals(List.of("нещо", " на"), words(PreTokenizer.LLAMA3, "нещо на"));
        assertEquals(List.of("a", "\u00A0", "½"), words(PreTokenizer.LLAMA3, "a\u00A0½"));
    }
}
