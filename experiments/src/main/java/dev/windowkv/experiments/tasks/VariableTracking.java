package dev.windowkv.experiments.tasks;

import dev.windowkv.engine.kvcache.TaskType;
import dev.windowkv.engine.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Variable tracking (multi-hop): a chain {@code VAR A = 12345.}, {@code VAR B = VAR A.}, ... hidden in
 * order in the haystack. The binding of the value is at the requested depth, each later link at a
 * seeded depth between it and the end. Every name in the chain is expected.
 */
public final class VariableTracking implements Task {
    /** RULER's defaults: one chain of four hops, so five names. */
    static final int HOPS = 4;
    /** RULER's values have five digits. */
    static final int VALUE_DIGITS = 5;
    static final int NAME_LETTERS = 5;
    /** RULER's generation budget for vt. */
    static final int MAX_NEW_TOKENS = 30;

    @Override
    public String name() {
        return "vt";
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
        String value = Draw.digitStrings(random, 1, VALUE_DIGITS).getFirst();
        List<String> names = Draw.variableNames(random, HOPS + 1, NAME_LETTERS);
        List<Double> depths = Draw.depths(random, HOPS, spec.depth(), 1);
        List<NeedlePrompt.Needle> chain = new ArrayList<>();
        chain.add(new NeedlePrompt.Needle("VAR " + names.getFirst() + " = " + value + ".", spec.depth()));
        for (int i = 1; i <= HOPS; i++) {
            chain.add(new NeedlePrompt.Needle("VAR " + names.get(i) + " = VAR " + names.get(i - 1) + ".", depths.get(i - 1)));
        }
        String intro = "Memorize and track the chain of variable assignments hidden in the text below.";
        String question = "Question: Find all variables that are assigned the value " + value
                + " in the text above. Answer: The variables assigned the value " + value + " are:";
        return NeedlePrompt.sample(this, tokenizer, spec, intro, chain, question, names, null);
    }

    /** All-of: the fraction of the chain's names in the output. */
    @Override
    public double score(String output, List<String> expected) {
        return Scoring.fractionPresent(output, expected);
    }
}
