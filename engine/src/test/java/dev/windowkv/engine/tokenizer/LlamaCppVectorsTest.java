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
    static final List<String> VOCABS = List.of("llama-bpe", "qwen2", "llama-spm");

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
     * Where llama.cpp's detokenizer gives the text back: Llama 3's tidies spaces before punctuation and
     * contractions (clean_spaces), so texts with " ," " 's" etc. do not come back.
     */
    static boolean roundTrips(String vocab, String text) {
        if (!vocab.equals("llama-bpe")) return true;
        return !(text.contains(" ?") || text.contains(" !") || text.contains(" .") || text.contains(" ,")
                || text.contains(" '"));
    }
}
