package dev.windowkv.experiments.tasks;

import dev.windowkv.engine.kvcache.TaskType;
import dev.windowkv.engine.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Multi-query needle: several keys, each with its own value, all asked at once. The first key's
 * needle is at the requested depth, the others at seeded depths; the answer prefix starts with the
 * first key, and every value is expected. With a value span, every value is one long number of that
 * many tokens.
 */
public final class NiahMultiQuery implements Task {
    /** RULER's niah_multiquery asks four keys. */
    static final int QUERIES = 4;

    @Override
    public String name() {
        return "niah_multiquery";
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
        List<String> keys = Draw.words(random, Lexicon.keyWords(), QUERIES);
        String noun = MagicNeedle.NUMBER;
        List<String> prefixes = keys.stream().map(k -> MagicNeedle.answerPrefix(noun, k)).toList();
        List<String> values = spec.valueSpan() != null
                ? SpanValue.drawAll(random, ValueKind.NUMBER, spec.valueSpan(), tokenizer, prefixes)
                : Draw.digitStrings(random, QUERIES, NiahSingle.PASSKEY_DIGITS);
        List<Double> depths = Draw.depths(random, QUERIES - 1, 0, 1);
        List<NeedlePrompt.Needle> needles = new ArrayList<>();
        needles.add(new NeedlePrompt.Needle(MagicNeedle.statement(noun, keys.getFirst(), values.getFirst()), spec.depth()));
        for (int i = 1; i < QUERIES; i++) {
            needles.add(new NeedlePrompt.Needle(MagicNeedle.statement(noun, keys.get(i), values.get(i)), depths.get(i - 1)));
        }
        String asked = String.join(", ", keys.subList(0, QUERIES - 1)) + " and " + keys.getLast();
        String question = "What are the special magic " + noun + "s for " + asked + "? "
                + MagicNeedle.answerPrefix(noun, keys.getFirst());
        return NeedlePrompt.sample(this, tokenizer, spec, MagicNeedle.intro(noun), needles, question, values,
                SpanValue.longest(tokenizer, prefixes, values));
    }

    /** All-of: the fraction of the asked keys' values in the output. */
    @Override
    public double score(String output, List<String> expected) {
        return Scoring.fractionPresent(output, expected);
    }
}
