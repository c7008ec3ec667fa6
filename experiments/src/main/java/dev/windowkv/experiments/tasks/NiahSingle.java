package dev.windowkv.experiments.tasks;

import dev.windowkv.engine.kvcache.TaskType;
import dev.windowkv.engine.tokenizer.Tokenizer;

import java.util.List;
import java.util.Random;

/**
 * Single needle in a haystack: one {@code The special magic number for {key} is {value}.} at the
 * requested depth, then the question and the needle's words up to the value. {@code niah_single}
 * hides a passkey of digits; {@code niah_single_word} hides a word and says "magic word" instead.
 * With a value span, the passkey becomes a multi-part number ({@code 4821 0937 5510}) and the word a
 * sequence of words, of that many tokens.
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
    public boolean takesValueSpan() {
        return true;
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
        String noun = wordValue ? MagicNeedle.WORD : MagicNeedle.NUMBER;
        String prefix = MagicNeedle.answerPrefix(noun, key);
        String value;
        if (spec.valueSpan() != null) {
            value = SpanValue.draw(random, wordValue ? ValueKind.WORDS : ValueKind.MULTI_PART_NUMBER, spec.valueSpan(),
                    tokenizer, prefix, List.of()).text();
        } else {
            value = wordValue
                    ? Draw.words(random, Lexicon.valueWords(), 1).getFirst()
                    : Draw.digitStrings(random, 1, PASSKEY_DIGITS).getFirst();
        }
        String question = "What is the special magic " + noun + " for " + key + "? " + MagicNeedle.answerPrefix(noun, key);
        return NeedlePrompt.sample(this, tokenizer, spec, MagicNeedle.intro(noun),
                List.of(new NeedlePrompt.Needle(MagicNeedle.statement(noun, key, value), spec.depth())),
                question, List.of(value), SpanValue.measure(tokenizer, prefix, value));
    }

    /** All-of (one value: right or wrong). */
    @Override
    public double score(String output, List<String> expected) {
        return Scoring.fractionPresent(output, expected);
    }
}
