package dev.windowkv.experiments.defaultmodel;

import dev.windowkv.engine.model.Model;
import dev.windowkv.experiments.cli.Cli;
import dev.windowkv.experiments.cli.DefaultModel;
import dev.windowkv.experiments.tasks.Lexicon;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The default model's vocabulary makes every needle key one token, so the three tokens before a
 * value always include the whole key (two keys ending alike would otherwise be confused), and every
 * 1–3 digit chunk one token, as Llama 3 splits numbers.
 */
class DefaultVocabularyTest {
    @Test
    void everyKeyAndWordValueIsOneToken() {
        Cli.useCheckoutAsHome();
        try (Model m = Model.load(DefaultModel.path())) {
            for (String w : Lexicon.keyWords()) assertEquals(1, m.tokenizer().encode(" " + w).length, "key '" + w + "'");
            for (String w : Lexicon.valueWords()) assertEquals(1, m.tokenizer().encode(" " + w).length, "value '" + w + "'");
        }
    }

    @Test
    void aPasskeySplitsIntoChunksOfThreeDigits() {
        Cli.useCheckoutAsHome();
        try (Model m = Model.load(DefaultModel.path())) {
            int[] ids = m.tokenizer().encode("7142093");
            assertArrayEquals(new String[] {"714", "209", "3"},
                    java.util.Arrays.stream(ids).mapToObj(m.tokenizer()::piece).toArray(String[]::new));
        }
    }
}
