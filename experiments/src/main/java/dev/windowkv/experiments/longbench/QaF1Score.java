package dev.windowkv.experiments.longbench;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * LongBench's {@code qa_f1_score}: token-level F1 between the normalized prediction and answer,
 * counting shared tokens with multiplicity (Python's {@code Counter &}).
 */
public final class QaF1Score {
    private static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"; // Python's string.punctuation
    // Python 3 str patterns are Unicode-aware: \b follows Unicode word characters.
    private static final Pattern ARTICLES = Pattern.compile("\\b(a|an|the)\\b", Pattern.UNICODE_CHARACTER_CLASS);

    private QaF1Score() {
    }

    public static double score(String prediction, String groundTruth) {
        List<String> predicted = PythonText.splitWhitespace(normalizeAnswer(prediction));
        List<String> reference = PythonText.splitWhitespace(normalizeAnswer(groundTruth));
        return f1(predicted, reference);
    }

    /** SQuAD's normalize_answer: lowercase, drop ASCII punctuation, drop articles, collapse whitespace. */
    public static String normalizeAnswer(String s) {
        String lower = s.toLowerCase(Locale.ROOT);
        StringBuilder noPunct = new StringBuilder(lower.length());
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            if (PUNCTUATION.indexOf(c) < 0) {
                noPunct.append(c);
            }
        }
        String noArticles = ARTICLES.matcher(noPunct).replaceAll(" ");
        return PythonText.collapseWhitespace(noArticles);
    }

    /** {@code f1_score} over two token lists. */
    static double f1(List<String> prediction, List<String> groundTruth) {
        Map<String, Integer> remaining = new HashMap<>();
        for (String token : groundTruth) {
            remaining.merge(token, 1, Integer::sum);
        }
        int numSame = 0;
        for (String token : prediction) {
            Integer left = remaining.get(token);
            if (left != null && left > 0) {
                remaining.put(token, left - 1);
                numSame++;
            }
        }
        if (numSame == 0) {
            return 0.0;
        }
        double precision = 1.0 * numSame / prediction.size();
        double recall = 1.0 * numSame / groundTruth.size();
        return (2 * precision * recall) / (precision + recall);
    }
}
