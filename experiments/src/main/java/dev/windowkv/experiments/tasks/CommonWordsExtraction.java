package dev.windowkv.experiments.tasks;

import dev.windowkv.engine.kvcache.TaskType;
import dev.windowkv.engine.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Common-words extraction (aggregation): a shuffled list of English words in which ten words each
 * appear more often than any other; those ten are expected. Unlike RULER the list is comma-separated,
 * not numbered, and the needle depth and haystack do not apply.
 *
 * <p>RULER repeats the common words 30 times and the others 3 times. Short lists scale the common
 * count down (never below 3, keeping it above every other count); long lists that would exhaust the
 * word list repeat the other words more, with the common words kept at twice that.
 */
public final class CommonWordsExtraction implements Task {
    static final int COMMON_WORDS = 10;
    /** RULER's repeats of each common word. */
    static final int COMMON_REPEATS = 30;
    /** RULER's repeats of each other word. */
    static final int UNCOMMON_REPEATS = 3;
    static final int MIN_COMMON_REPEATS = 3;
    /** RULER's generation budget for cwe. */
    static final int MAX_NEW_TOKENS = 120;

    private static final String INTRO = "Below is a list of words. Some words appear more often than others. "
            + "Memorize the ones that appear most often.";
    private static final String QUESTION = "Question: What are the ten most common words in the list above? "
            + "Answer: The ten words that appear most often in the list are:";

    @Override
    public String name() {
        return "cwe";
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
        List<String> words = Draw.wordsUpTo(new Random(spec.seed()), Lexicon.commonWords(), Integer.MAX_VALUE);
        List<String> common = words.subList(0, COMMON_WORDS);
        List<String> others = words.subList(COMMON_WORDS, words.size());
        LengthFit.Fitted fitted = LengthFit.fit(name(), spec.targetTokens(), tokenizer, total -> {
            List<String> list = new ArrayList<>(total);
            int[] repeats = repeats(total, others.size());
            for (int i = 0; i < repeats.length; i++) {
                String word = i < COMMON_WORDS ? common.get(i) : others.get(i - COMMON_WORDS);
                list.addAll(Collections.nCopies(repeats[i], word));
            }
            Collections.shuffle(list, new Random(spec.seed() + 1));
            return INTRO + "\n" + String.join(", ", list) + "\n" + QUESTION;
        });
        return new TaskSample(name(), type(), fitted.prompt(), common, spec.targetTokens(), fitted.tokens(),
                null, null, spec.seed(), MAX_NEW_TOKENS, null);
    }

    /**
     * How often each word appears in a list of about {@code total} words: the common words first, then
     * as many other words as needed (at most {@code available}). Every common count is above every
     * other count.
     */
    static int[] repeats(int total, int available) {
        int common = Math.clamp(total / (2 * COMMON_WORDS), MIN_COMMON_REPEATS, COMMON_REPEATS);
        int base = common >= COMMON_REPEATS ? UNCOMMON_REPEATS : Math.max(1, common / 10);
        int rest = Math.max(0, total - COMMON_WORDS * common);
        int uncommon = Math.max(base, ceilDiv(rest, available));
        if (uncommon >= common) {
            common = 2 * uncommon;
            rest = Math.max(0, total - COMMON_WORDS * common);
        }
        int others = rest == 0 ? 0 : ceilDiv(rest, uncommon);
        int[] repeats = new int[COMMON_WORDS + others];
        for (int i = 0; i < COMMON_WORDS; i++) {
            repeats[i] = common;
        }
        for (int i = 0; i < others; i++) {
            repeats[COMMON_WORDS + i] = rest / others + (i < rest % others ? 1 : 0);
        }
        return repeats;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /** All-of: the fraction of the ten common words in the output (RULER's string_match_all). */
    @Override
    public double score(String output, List<String> expected) {
        return Scoring.fractionPresent(output, expected);
    }
}
