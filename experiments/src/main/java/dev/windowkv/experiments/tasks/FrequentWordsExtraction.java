package dev.windowkv.experiments.tasks;

import dev.windowkv.engine.kvcache.TaskType;
import dev.windowkv.engine.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Frequent-words extraction (aggregation): a shuffled text of made-up "coded" words whose counts
 * follow a Zipf law; the three most frequent are expected. The counts are set, not sampled, so the
 * top three are always strictly ahead. The needle depth and haystack do not apply.
 */
public final class FrequentWordsExtraction implements Task {
    /** RULER's Zipf exponent. */
    static final double ALPHA = 2.0;
    static final int TOP = 3;
    static final int MIN_LETTERS = 4;
    static final int MAX_LETTERS = 7;
    /** RULER's generation budget for fwe. */
    static final int MAX_NEW_TOKENS = 50;

    /** The Zipf normaliser, sum over r of r^-alpha (pi^2/6 for alpha 2). */
    private static final double ZETA = Math.PI * Math.PI / 6;

    private static final String INTRO = "Read the coded text below and keep track of how often each coded word appears.";
    private static final String QUESTION = "Question: What are the three most frequent coded words in the text above? "
            + "Answer: According to the coded text above, the three most frequent coded words are:";

    @Override
    public String name() {
        return "fwe";
    }

    @Override
    public TaskType type() {
        return TaskType.AGGREGATION;
    }

    @Override
    public int maxNewTokens() {
        return MAX_NEW_TOKENS;
    }

    @Override
    public TaskSample generate(Tokenizer tokenizer, SampleSpec spec) {
        Random codes = new Random(spec.seed());
        List<String> vocabulary = new ArrayList<>();
        LengthFit.Fitted fitted = LengthFit.fit(name(), spec.targetTokens(), tokenizer, total -> {
            int[] counts = zipfCounts(total);
            // Grown in order, so rank r always gets the same coded word whatever the total.
            while (vocabulary.size() < counts.length) {
                vocabulary.add(Draw.codedWord(codes, vocabulary, MIN_LETTERS, MAX_LETTERS));
            }
            List<String> text = new ArrayList<>(total);
            for (int r = 0; r < counts.length; r++) {
                text.addAll(Collections.nCopies(counts[r], vocabulary.get(r)));
            }
            Collections.shuffle(text, new Random(spec.seed() + 1));
            return INTRO + "\n" + String.join(" ", text) + "\n" + QUESTION;
        });
        int[] counts = zipfCounts(fitted.size());
        if (counts.length <= TOP || counts[TOP - 1] <= counts[TOP]) {
            throw new SampleSpecError("fwe needs a longer target than " + spec.targetTokens()
                    + " tokens for its three most frequent words to stand apart");
        }
        return new TaskSample(name(), type(), fitted.prompt(), vocabulary.subList(0, TOP), spec.targetTokens(),
                fitted.tokens(), null, null, spec.seed(), MAX_NEW_TOKENS, null);
    }

    /**
     * The count of each rank in a text of exactly {@code total} words: rank r (from 1) gets
     * floor(total / (zeta * r^alpha)) while that is at least one, and rank 1 takes what is left.
     */
    static int[] zipfCounts(int total) {
        List<Integer> counts = new ArrayList<>();
        counts.add(0);
        int sum = 0;
        for (int r = 2; ; r++) {
            int c = (int) Math.floor(total / (ZETA * Math.pow(r, ALPHA)));
            if (c < 1) {
                break;
            }
            counts.add(c);
            sum += c;
        }
        counts.set(0, total - sum);
        return counts.stream().mapToInt(Integer::intValue).toArray();
    }

    /** All-of: the fraction of the three most frequent words in the output (RULER's string_match_all). */
    @Override
    public double score(String output, List<String> expected) {
        return Scoring.fractionPresent(output, expected);
    }
}
