package dev.windowkv.experiments.tasks;

import dev.windowkv.engine.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A needle value and its span: how many tokens the model writes after the answer prefix to give the
 * whole value, in the tokenizer of the model that reads the prompt. A value can only be scored whole
 * if every one of those tokens survives compression.
 *
 * @param text the value as it appears in the needle
 * @param span its span in tokens (see {@link #measure})
 */
record SpanValue(String text, int span) {
    /** The longest span a sample may ask for. */
    static final int MAX_SPAN = 64;
    /** Tries at the exact span before settling for the closest value found. */
    private static final int ATTEMPTS = 64;
    /** Tokens a copying head matches on; the shipped model's induction heads look three tokens back. */
    private static final int MATCH = 3;

    /**
     * The tokens of {@code answerPrefix + " " + value} beyond those of {@code answerPrefix}: what the
     * model must generate, the separating space included where the tokenizer makes it a token of its
     * own (a Llama-3 tokenizer does before a digit, so a number's span is at least 2 there).
     */
    static int measure(Tokenizer tokenizer, String answerPrefix, String value) {
        return tokenizer.encode(answerPrefix + " " + value).length - tokenizer.encode(answerPrefix).length;
    }

    /**
     * A value of {@code kind} spanning exactly {@code target} tokens after {@code answerPrefix} where
     * one is found, else the closest found; the caller records {@link #span}, which is the realised one.
     * The value neither contains nor is contained in any of {@code taken} (scoring is a substring
     * match), and no run of {@value #MATCH} tokens repeats in it: a reader that copies by matching its
     * last tokens would jump from the first run to the second and garble a value it had found.
     */
    static SpanValue draw(Random random, ValueKind kind, int target, Tokenizer tokenizer, String answerPrefix,
                          List<String> taken) {
        if (target < 1 || target > MAX_SPAN) {
            throw new SampleSpecError("value span must be between 1 and " + MAX_SPAN + " tokens, got " + target);
        }
        SpanValue closest = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            // The first attempt fills whole parts, cutting only the last; later ones also cut parts
            // at random lengths.
            String text = grow(random, kind, target, attempt > 0, tokenizer, answerPrefix);
            if (text.isEmpty() || taken.stream().anyMatch(t -> t.contains(text) || text.contains(t))) {
                continue;
            }
            SpanValue v = new SpanValue(text, measure(tokenizer, answerPrefix, text));
            if (!unambiguous(tokenizer, answerPrefix, v)) {
                continue;
            }
            if (v.span == target) {
                return v;
            }
            if (closest == null || Math.abs(v.span - target) < Math.abs(closest.span - target)) {
                closest = v;
            }
        }
        if (closest == null) {
            throw new SampleSpecError("cannot make a " + kind.name().toLowerCase(java.util.Locale.ROOT)
                    + " value of " + target + " tokens in this tokenizer; try another value span");
        }
        return closest;
    }

    /**
     * One value per answer prefix, in order, each of {@code target} tokens after its own prefix and
     * none containing another.
     */
    static List<String> drawAll(Random random, ValueKind kind, int target, Tokenizer tokenizer,
                                List<String> answerPrefixes) {
        List<String> values = new ArrayList<>();
        for (String prefix : answerPrefixes) {
            values.add(draw(random, kind, target, tokenizer, prefix, values).text());
        }
        return values;
    }

    /** The longest span of the {@code expected} values, each after its own answer prefix. */
    static int longest(Tokenizer tokenizer, List<String> answerPrefixes, List<String> expected) {
        int longest = 0;
        for (int i = 0; i < expected.size(); i++) {
            longest = Math.max(longest, measure(tokenizer, answerPrefixes.get(i), expected.get(i)));
        }
        return longest;
    }

    /** Appends parts while the span stays within the target; stops at the target or when no part fits. */
    private static String grow(Random random, ValueKind kind, int target, boolean cutAtRandom, Tokenizer tokenizer,
                               String answerPrefix) {
        List<String> parts = new ArrayList<>();
        String value = "";
        int span = 0;
        for (int index = 0; span < target && index < 4 * MAX_SPAN; index++) {
            String part = kind.part(random, index, parts);
            if (part == null) {
                break;
            }
            String head = parts.isEmpty() ? "" : value + kind.separator;
            List<String> fitting = new ArrayList<>();
            List<Integer> spans = new ArrayList<>();
            for (int len = kind.cuttable ? 1 : part.length(); len <= part.length(); len++) {
                String candidate = head + part.substring(0, len);
                int s = measure(tokenizer, answerPrefix, candidate);
                if (s <= target) {
                    fitting.add(part.substring(0, len));
                    spans.add(s);
                }
            }
            if (fitting.isEmpty()) {
                if (kind.cuttable) {
                    break; // every cut of this part was too long already
                }
                continue; // another word may take fewer tokens than this one
            }
            // Whole parts where they fit keep the value's shape; a random cut now and then reaches the
            // spans that whole parts step over.
            boolean whole = fitting.getLast().length() == part.length();
            int pick = cutAtRandom && !(whole && random.nextInt(4) > 0) ? random.nextInt(fitting.size()) : fitting.size() - 1;
            parts.add(fitting.get(pick));
            value = head + fitting.get(pick);
            span = spans.get(pick);
        }
        if (value.isEmpty()) {
            // Even the smallest part is longer than the target (a 1-token number where a digit needs a
            // space token first): take the smallest, whose realised span the sample records.
            value = kind.cuttable ? kind.part(random, 0, parts).substring(0, 1) : kind.part(random, 0, parts);
        }
        return value;
    }

    private static boolean unambiguous(Tokenizer tokenizer, String answerPrefix, SpanValue v) {
        int[] ids = tokenizer.encode(answerPrefix + " " + v.text);
        Set<List<Integer>> seen = new HashSet<>();
        for (int end = Math.max(MATCH, ids.length - v.span); end <= ids.length; end++) {
            List<Integer> run = new ArrayList<>(MATCH);
            for (int i = end - MATCH; i < end; i++) {
                run.add(ids[i]);
            }
            if (!seen.add(run)) {
                return false;
            }
        }
        return true;
    }
}
