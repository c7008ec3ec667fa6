package dev.windowkv.experiments.tasks;

import dev.windowkv.engine.kvcache.TaskType;
import dev.windowkv.engine.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Multi-key needle: the asked-for needle at the requested depth, plus distractor needles with other
 * keys and other values at seeded depths. Only the asked-for value is expected. With a value span,
 * every value is a UUID-like hex string of that many tokens.
 */
public final class NiahMultiKey implements Task {
    /** RULER's niah_multikey_1 hides four keys: the asked-for one and three distractors. */
    static final int DISTRACTORS = 3;

    @Override
    public String name() {
        return "niah_multikey";
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
        List<String> keys = Draw.words(random, Lexicon.keyWords(), 1 + DISTRACTORS);
        String noun = MagicNeedle.NUMBER;
        List<String> prefixes = keys.stream().map(k -> MagicNeedle.answerPrefix(noun, k)).toList();
        // RULER's hardest multikey variant hides UUIDs.
        List<String> values = spec.valueSpan() != null
                ? SpanValue.drawAll(random, ValueKind.UUID, spec.valueSpan(), tokenizer, prefixes)
                : Draw.digitStrings(random, 1 + DISTRACTORS, NiahSingle.PASSKEY_DIGITS);
        List<Double> depths = Draw.depths(random, DISTRACTORS, 0, 1);
        List<NeedlePrompt.Needle> needles = new ArrayList<>();
        needles.add(new NeedlePrompt.Needle(MagicNeedle.statement(noun, keys.getFirst(), values.getFirst()), spec.depth()));
        for (int i = 0; i < DISTRACTORS; i++) {
            needles.add(new NeedlePrompt.Needle(MagicNeedle.statement(noun, keys.get(i + 1), values.get(i + 1)), depths.get(i)));
        }
        String key = keys.getFirst();
        String question = "What is the special magic " + noun + " for " + key + "? " + MagicNeedle.answerPrefix(noun, key);
        return NeedlePrompt.sample(this, tokenizer, spec, MagicNeedle.intro(noun), needles, question, List.of(values.getFirst()),
                SpanValue.measure(tokenizer, prefixes.getFirst(), values.getFirst()));
    }

    /** All-of (one value). A distractor's value in the output does not lower the score, as in RULER. */
    @Override
    public double score(String output, List<String> expected) {
        return Scoring.fractionPresent(output, expected);
    }
}
