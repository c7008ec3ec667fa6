package dev.windowkv.experiments.tasks;

import dev.windowkv.engine.kvcache.TaskType;
import dev.windowkv.engine.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Multi-value needle: one key stated several times with different values. The first statement is at
 * the requested depth, the others at seeded depths; every value is expected. With a value span, every
 * value is one long number of that many tokens.
 */
public final class NiahMultiValue implements Task {
    /** RULER's niah_multivalue hides four values for the key. */
    static final int VALUES = 4;

    @Override
    public String name() {
        return "niah_multivalue";
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
        return NiahSingle.MAX_NEW_TOKENS;
    }

    @Override
    public TaskSample generate(Tokenizer tokenizer, SampleSpec spec) {
        Random random = new Random(spec.seed());
        String key = Draw.words(random, Lexicon.keyWords(), 1).getFirst();
        String noun = MagicNeedle.NUMBER;
        List<String> prefixes = java.util.Collections.nCopies(VALUES, MagicNeedle.answerPrefix(noun, key));
        List<String> values = spec.valueSpan() != null
                ? SpanValue.drawAll(random, ValueKind.NUMBER, spec.valueSpan(), tokenizer, prefixes)
                : Draw.digitStrings(random, VALUES, NiahSingle.PASSKEY_DIGITS);
        List<Double> depths = Draw.depths(random, VALUES - 1, 0, 1);
        List<NeedlePrompt.Needle> needles = new ArrayList<>();
        needles.add(new NeedlePrompt.Needle(MagicNeedle.statement(noun, key, values.getFirst()), spec.depth()));
        for (int i = 1; i < VALUES; i++) {
            needles.add(new NeedlePrompt.Needle(MagicNeedle.statement(noun, key, values.get(i)), depths.get(i - 1)));
        }
        String question = "What are all the special magic " + noun + "s for " + key + "? " + MagicNeedle.answerPrefix(noun, key);
        return NeedlePrompt.sample(this, tokenizer, spec, MagicNeedle.intro(noun), needles, question, values,
                SpanValue.longest(tokenizer, prefixes, values));
    }

    /** All-of: the fraction of the key's values in the output. */
    @Override
    public double score(String output, List<String> expected) {
        return Scoring.fractionPresent(output, expected);
    }
}
