package dev.windowkv.experiments.defaultmodel;

import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.engine.tokenizer.BpeTrainer;
import dev.windowkv.experiments.tasks.Haystack;
import dev.windowkv.experiments.tasks.Lexicon;
import dev.windowkv.experiments.tasks.SampleSpec;
import dev.windowkv.experiments.tasks.Task;
import dev.windowkv.experiments.tasks.TaskSuite;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The whole recipe of the shipped model, start to end: learn a BPE vocabulary from the task suite's
 * own text (every task, both haystacks), then construct the weights ({@link InductionModel}).
 * Deterministic: the same seed writes the same bytes.
 */
public final class DefaultModelRecipe {
    public static final long SEED = 20250322L;
    public static final int WORD_MERGES = 2500;
    /**
     * How often each needle key and word value is repeated in the corpus: enough that BPE makes
     * every one a single token. The model matches on the last three tokens; a key split into pieces
     * ("l" "em" "on") would leave only its last piece in that window, so two keys ending alike
     * ("lemon", "saffron") would be confused while the value is copied.
     */
    static final int KEY_REPEATS = 400;
    public static final GGMLType WEIGHT_TYPE = GGMLType.Q8_0;

    private DefaultModelRecipe() {}

    public static BpeTrainer.Vocab vocabulary(long seed) {
        List<String> corpus = new ArrayList<>();
        CorpusTokenizer counter = new CorpusTokenizer();
        for (Task task : TaskSuite.all()) {
            for (Haystack h : Haystack.values()) {
                for (int i = 0; i < 4; i++) {
                    corpus.add(task.generate(counter, new SampleSpec(1500, i / 3.0, seed + i, h)).prompt());
                }
            }
        }
        StringBuilder keys = new StringBuilder();
        for (int r = 0; r < KEY_REPEATS; r++) {
            for (String w : Lexicon.keyWords()) keys.append(" The special magic number for ").append(w).append(" is");
            for (String w : Lexicon.valueWords()) keys.append(" The special magic word is ").append(w).append('.');
        }
        corpus.add(keys.toString());
        return BpeTrainer.train(corpus, WORD_MERGES);
    }

    public static void make(Path out, long seed, GGMLType type) {
        BpeTrainer.Vocab vocab = vocabulary(seed);
        String description = "Constructed (not trained) induction model made by `windowkv make-model --seed " + seed
                + "`: previous-token heads in layer 0 and an induction head in each of layers 1-7; BPE vocabulary of "
                + vocab.tokens().length + " tokens learned from the project's synthetic task suite. It copies what "
                + "followed an earlier occurrence of the last three tokens; it cannot aggregate, count or reason.";
        InductionModel.write(out, vocab, type, seed, description);
    }
}
