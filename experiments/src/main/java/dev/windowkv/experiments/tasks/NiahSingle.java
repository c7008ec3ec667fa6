package dev.windowkv.experiments.tasks;

import dev.windowkv.engine.kvcache.TaskType;
import dev.windowkv.engine.tokenizer.Tokenizer;

import java.util.List;
import java.util.Random;

/**
 * Single needle in a haystack: one {@code The special magic number for {key} is {value}.} at the
 * requested depth, then the question and the needle's words up to the value. {@code niah_single}
 * hides a passkey of digits; {@code niah_single_word} hides a word and says "magic word" instead.
 */
public final class NiahSingle implements Task {
    /** RULER's generation budget for the niah tasks. */
    static final int MAX_NEW_TOKENS = 128;
    /** Digits in a passkey. */
    static final int PASSKEY_DIGITS = 7;

    private final boolean wordValue;

    private NiahSingle(boolean wordValue) {
        this.wordValue = wordValue;
    }

    public static NiahSingle passkey() {
        return new NiahSingle(false);
    }

    public static NiahSingle word() {
        return new NiahSingle(true);
    }

    @Override
    public String name() {
        return wordValue ? "niah_single_word" : "niah_single";
    }

    @Override
    public TaskType type() {
        return TaskType.QA;
    }

    @Override
    public int maxNewTokens() {
        return MAX_NEW_TOKENS;
    }

    @Override
    public TaskSample generate(Tokenizer tokenizer, SampleSpec spec) {
        Random random = new Random(spec.seed());
        String key = Draw.words(random, Lexicon.keyWords(), 1).getFirst();
        String value = wordValue
                ? Draw.words(random, Lexicon.valueWords(), 1).getFirst()
                : Draw.digitStrings(random, 1, PASSKEY_DIGITS).getFirst();
        String noun = wordValue ? MagicNeedle.WORD : MagicNeedle.NUMBER;
        String question = "What is the special magic " + noun + " for " + key + "? " + MagicNeedle.answerPrefix(noun, key);
        return NeedlePrompt.sample(this, tokenizer, spec, MagicNeedle.intro(noun),
                List.of(new NeedlePrompt.Needle(MagicNeedle.statement(noun, key, value), spec.depth())),
                question, List.of(value));
    }

    /** All-of (one value: right or wrong). */
    @Override
    public double score(String output, List<String> expected) {
        return Scoring.fractionPresent(output, expected);
    }
}
