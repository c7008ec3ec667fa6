package dev.windowkv.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.windowkv.engine.UserError;
import dev.windowkv.engine.gguf.GGUFFile;
import dev.windowkv.engine.gguf.GGUFWriter;
import dev.windowkv.engine.testutil.LlamaCppSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Worked examples on llama.cpp's Llama 3, Qwen 2 and Llama 2 (SentencePiece) vocabularies. */
class TokenizerTest {
    static final Tokenizer LLAMA3 = VocabFiles.tokenizer("llama-bpe");
    static final Tokenizer QWEN2 = VocabFiles.tokenizer("qwen2");
    static final Tokenizer LLAMA2 = VocabFiles.tokenizer("llama-spm");

    @Test
    void controlTokensAreRecognisedOnlyWithParseSpecial() {
        // "<|eot_id|>" as plain text: '<', '|', 'e', 'ot', '_id', '|', '>'
        assertArrayEquals(new int[] {27, 91, 68, 354, 851, 91, 29}, LLAMA3.encode("<|eot_id|>", false, false));
        assertArrayEquals(new int[] {128009}, LLAMA3.encode("<|eot_id|>", false, true));
        assertArrayEquals(new int[] {9906, 128009, 9906}, LLAMA3.encode("Hello<|eot_id|>Hello", false, true));
        assertArrayEquals(new int[] {27, 91, 318, 6213, 91, 29}, QWEN2.encode("<|im_end|>", false, false));
        assertArrayEquals(new int[] {151645}, QWEN2.encode("<|im_end|>", false, true));
        assertArrayEquals(new int[] {1533, 29879, 29958}, LLAMA2.encode("</s>", false, false));
        assertArrayEquals(new int[] {2}, LLAMA2.encode("</s>", false, true));
    }

    @Test
    void userDefinedTokensAreSplitOutEvenWithoutParseSpecial() {
        // llama.cpp (and HF tokenizers) always split added USER_DEFINED tokens out of the text
        assertArrayEquals(new int[] {64, 151646, 65}, QWEN2.encode("a[PAD151646]b", false, false));
    }

    @Test
    void bosIsAddedWhenTheVocabularyAsks() {
        assertArrayEquals(new int[] {128000, 9906, 1917}, LLAMA3.encode("Hello world", true, false));
        assertArrayEquals(new int[] {9906, 1917}, LLAMA3.encode("Hello world"));
        // Qwen 2 has no add_bos_token: none is added
        assertArrayEquals(new int[] {9707, 1879}, QWEN2.encode("Hello world", true, false));
        assertArrayEquals(new int[] {1, 15043, 3186}, LLAMA2.encode("Hello world", true, false));
        assertEquals(128000, LLAMA3.bos());
        assertEquals(1, LLAMA2.bos());
        assertEquals(2, LLAMA2.eos());
    }

    @Test
    void sentencePiecePutsASpaceBeforeTheTextAndAfterEachSpecialToken() {
        // "Hello" alone is "▁Hello" (15043); after <s> again "▁Hello"; " Hello" is "▁" + "▁Hello"
        assertArrayEquals(new int[] {15043}, LLAMA2.encode("Hello", false, false));
        assertArrayEquals(new int[] {1, 15043}, LLAMA2.encode("<s>Hello", false, true));
        assertArrayEquals(new int[] {29871, 15043}, LLAMA2.encode(" Hello", false, false));
    }

    @Test
    void sentencePieceFallsBackToBytes() {
        // U+1F999 (llama) is no token: its four UTF-8 bytes F0 9F A6 99 are <0xF0>.. (id = byte + 3)
        int[] ids = LLAMA2.encode("\uD83E\uDD99", false, false);
        assertArrayEquals(new int[] {29871, 0xF0 + 3, 0x9F + 3, 0xA6 + 3, 0x99 + 3}, ids);
        assertEquals("\uD83E\uDD99", LLAMA2.decode(ids));
        assertArrayEquals(new byte[] {(byte) 0xF0}, LLAMA2.tokenBytes(0xF0 + 3));
    }

    @Test
    void decodeJoinsBytesBeforeUtf8() {
        // the llama emoji's four UTF-8 bytes F0 9F A6 99 land in three tokens, none a whole character
        int[] ids = LLAMA3.encode(" this is \uD83E\uDD99.cpp", false, false);
        assertArrayEquals(new int[] {420, 374, 11410, 99, 247, 13, 11055}, ids);
        assertEquals(" this is \uD83E\uDD99.cpp", LLAMA3.decode(ids));
        assertArrayEquals(new byte[] {' ', (byte) 0xF0, (byte) 0x9F}, LLAMA3.tokenBytes(11410));
        assertArrayEquals(new byte[] {(byte) 0xA6}, LLAMA3.tokenBytes(99));
    }

    @Test
    void decodeShowsSpecialTokensAndDropsSentencePiecesLeadingSpace() {
        assertEquals("Hello world", LLAMA2.decode(new int[] {15043, 3186}));
        assertEquals("<s> Hello world", LLAMA2.decode(new int[] {1, 15043, 3186}));
        assertEquals("<|begin_of_text|>Hello world", LLAMA3.decode(new int[] {128000, 9906, 1917}));
    }

    @Test
    void llama3DecodeTidiesSpacesAsLlamaCppDoes() {
        String text = "Hello , world ! It 's ok";
        assertEquals("Hello, world! It's ok", LLAMA3.decode(LLAMA3.encode(text)));
        // Qwen 2's detokenizer leaves spaces alone
        assertEquals(text, QWEN2.decode(QWEN2.encode(text)));
    }

    @Test
    void endOfGenerationTokens() {
        assertTrue(LLAMA3.isEndOfGeneration(128009)); // <|eot_id|>
        assertTrue(LLAMA3.isEndOfGeneration(128001)); // <|end_of_text|>
        assertFalse(LLAMA3.isEndOfGeneration(9906));
        assertTrue(QWEN2.isEndOfGeneration(151645)); // <|im_end|>
        assertTrue(QWEN2.isEndOfGeneration(151643)); // <|endoftext|>
        assertTrue(LLAMA2.isEndOfGeneration(2));
        assertFalse(LLAMA2.isEndOfGeneration(1));
    }

    @Test
    void longPromptEncodesTheSameWithAWarmWordCache() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 2000; i++) sb.append("Paragraph ").append(i).append(": the quick brown fox jumps over the lazy dog.\n");
        String text = sb.toString();
        int[] first = LLAMA3.encode(text);
        assertTrue(first.length > 10_000, "tokens: " + first.length);
        assertArrayEquals(first, LLAMA3.encode(text));
        Tokenizer fresh;
        try (GGUFFile gguf = GGUFFile.open(LlamaCppSource.vocab("llama-bpe"))) {
            fresh = Tokenizers.load(gguf);
        }
        assertArrayEquals(first, fresh.encode(text));
        assertEquals(text, LLAMA3.decode(first));
    }

    @Test
    void unsupportedTokenizerModelIsAOneLineUserError(@TempDir Path dir) {
        Path file = dir.resolve("bert.gguf");
        new GGUFWriter()
                .putString("general.architecture", "bert")
                .putString(Tokenizers.MODEL, "bert")
                .putStringArray(Tokenizers.TOKENS, new String[] {"[PAD]", "[UNK]"})
                .write(file);
        try (GGUFFile gguf = GGUFFile.open(file)) {
            UserError e = assertThrows(UnsupportedTokenizerError.class, () -> Tokenizers.load(gguf));
            assertTrue(e.getMessage().contains("'bert'"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void byteLevelMapKeepsPrintableBytesAndShiftsTheRest() {
        assertEquals("Hello", ByteLevel.encode("Hello".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("\u0120", ByteLevel.encode(new byte[] {' '}));  // Ġ
        assertEquals("\u010A", ByteLevel.encode(new byte[] {'\n'})); // Ċ
        assertEquals(' ', ByteLevel.byteOf('\u0120'));
        assertEquals(-1, ByteLevel.byteOf('\u0400'));
    }
}
