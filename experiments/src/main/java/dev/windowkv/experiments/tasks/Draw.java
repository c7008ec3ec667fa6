package dev.windowkv.experiments.tasks;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Seeded choices shared by the generators. Everything uses {@link java.util.Random}, whose
 * sequence the Java specification fixes, so a seed gives the same sample on every JDK.
 */
final class Draw {
    /** Consonants only, so a variable name never spells an English word that an answer might contain by chance. */
    private static final String NAME_LETTERS = "BCDFGHJKLMNPQRSTVWXZ";

    private Draw() {
    }

    /**
     * {@code k} distinct words from {@code pool}, none containing another: scoring is a substring
     * match, so an expected {@code rain} must not be found inside an answer's {@code train}.
     */
    static List<String> words(Random random, List<String> pool, int k) {
        List<String> chosen = wordsUpTo(random, pool, k);
        if (chosen.size() < k) {
            throw new IllegalStateException("the word list holds fewer than " + k + " usable words");
        }
        return chosen;
    }

    /** Like {@link #words}, but returns fewer than {@code k} when the pool runs out. */
    static List<String> wordsUpTo(Random random, List<String> pool, int k) {
        List<String> order = new ArrayList<>(pool);
        List<String> chosen = new ArrayList<>();
        for (int i = 0; i < order.size() && chosen.size() < k; i++) {
            int j = i + random.nextInt(order.size() - i);
            String word = order.get(j);
            order.set(j, order.get(i));
            order.set(i, word);
            if (chosen.stream().noneMatch(c -> c.contains(word) || word.contains(c))) {
                chosen.add(word);
            }
        }
        return chosen;
    }

    /** A random lower-case string of {@code minLength} to {@code maxLength} letters that neither contains nor is contained in any of {@code taken}. */
    static String codedWord(Random random, List<String> taken, int minLength, int maxLength) {
        while (true) {
            int length = minLength + random.nextInt(maxLength - minLength + 1);
            StringBuilder s = new StringBuilder(length);
            for (int i = 0; i < length; i++) {
                s.append((char) ('a' + random.nextInt(26)));
            }
            String word = s.toString();
            if (taken.stream().noneMatch(t -> t.contains(word) || word.contains(t))) {
                return word;
            }
        }
    }

    /** {@code k} distinct digit strings of {@code length} digits, the first digit never 0, none containing another. */
    static List<String> digitStrings(Random random, int k, int length) {
        List<String> out = new ArrayList<>(k);
        while (out.size() < k) {
            StringBuilder s = new StringBuilder(length);
            s.append((char) ('1' + random.nextInt(9)));
            for (int i = 1; i < length; i++) {
                s.append((char) ('0' + random.nextInt(10)));
            }
            String candidate = s.toString();
            if (!out.contains(candidate)) {
                out.add(candidate);
            }
        }
        return out;
    }

    /** {@code k} distinct upper-case variable names of {@code length} letters. */
    static List<String> variableNames(Random random, int k, int length) {
        Set<String> seen = new HashSet<>();
        List<String> out = new ArrayList<>(k);
        while (out.size() < k) {
            StringBuilder s = new StringBuilder(length);
            for (int i = 0; i < length; i++) {
                s.append(NAME_LETTERS.charAt(random.nextInt(NAME_LETTERS.length())));
            }
            if (seen.add(s.toString())) {
                out.add(s.toString());
            }
        }
        return out;
    }

    /** {@code k} depths drawn uniformly from [from, to], sorted. */
    static List<Double> depths(Random random, int k, double from, double to) {
        List<Double> out = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            out.add(from + (to - from) * random.nextDouble());
        }
        out.sort(null);
        return out;
    }
}
