package dev.windowkv.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.windowkv.engine.gguf.GGUFFile;
import dev.windowkv.engine.testutil.LlamaCppSource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every test vector llama.cpp ships for a vocabulary encodes to exactly llama.cpp's ids, one test per
 * case; and decodes back to its text wherever llama.cpp's detokenizer would give the text back.
 */
class LlamaCppVectorsTest {
    /**
     * The three the engine is built around (llama-bpe: Llama 3; qwen2: Qwen2 and Qwen3, whose GGUFs name
     * the same pre-tokenizer; llama-spm: the SentencePiece format of Llama 2 and Mistral-7B, for which
     * llama.cpp ships no vocabulary of its own), and three more that share their code paths.
     */
    static final List<String> VOCABS = List.of("llama-bpe", "qwen2", "llama-spm", "gpt-2", "mpt", "phi-3");
    /** Vocabularies whose llama.cpp detokenizer tidies spaces (clean_spaces): all BPE ones but Qwen 2's. */
    static final List<String> CLEAN_SPACES = List.of("llama-bpe", "gpt-2", "mpt");

    @TestFactory
    Stream<DynamicNode> everyCaseEncodesAsLlamaCpp() throws IOException {
        List<DynamicNode> containers = new ArrayList<>();
        for (String name : VOCABS) {
            var path = LlamaCppSource.vocab(name);
            Tokenizer tokenizer;
            try (GGUFFile gguf = GGUFFile.open(path)) {
                tokenizer = Tokenizers.load(gguf);
            }
            VocabTestVectors vectors = VocabTestVectors.read(path);
            assertTrue(vectors.cases().size() > 20, name + " has too few vectors");
            List<DynamicTest> tests = new ArrayList<>();
            for (VocabTestVectors.Case c : vectors.cases()) {
                tests.add(DynamicTest.dynamicTest("encode " + c.shown(), () -> {
                    int[] got = tokenizer.encode(c.text(), false, false);
                    assertArrayEquals(c.ids(), got, () -> name + " case " + c.shown() + ": expected "
                            + Arrays.toString(c.ids()) + " got " + Arrays.toString(got));
                }));
                if (roundTrips(name, c.text())) {
                    tests.add(DynamicTest.dynamicTest("decode " + c.shown(), () ->
                            assertEquals(c.text(), tokenizer.decode(c.ids()), name + " case " + c.shown())));
                }
            }
            containers.add(DynamicContainer.dynamicContainer(name, tests));
        }
        return containers.stream();
    }

    /**
     * Where llama.cpp's detokenizer gives the text back: most BPE ones tidy spaces before punctuation and
     * contractions (clean_spaces), so texts with " ," " 's" etc. do not come back.
     */
    static boolean roundTrips(String vocab, String text) {
        if (!CLEAN_SPACES.contains(vocab)) return true;
        return !(text.contains(" ?") || text.contains(" !") || text.contains(" .") || text.contains(" ,")
                || text.contains(" '"));
    }
}
