package dev.windowkv.experiments.longbench;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * LongBench's {@code rouge_score}: the F of summary-level ROUGE-L as the {@code rouge} package
 * (pltrdy/rouge 1.0.1, {@code Rouge().get_scores(..., avg=True)["rouge-l"]["f"]}) computes it.
 *
 * <p>That package differs from textbook ROUGE-L, and we keep its differences because LongBench's
 * numbers come from it:
 * <ul>
 *   <li>sentences are the pieces between literal {@code '.'}s; words are split on whitespace,
 *       case is kept and no stemming is done;</li>
 *   <li>it counts <em>distinct</em> words ("exclusive" mode): {@code m} and {@code n} are the
 *       numbers of distinct words of reference and prediction, and the overlap is the number of
 *       distinct words in the union, over all (reference sentence, predicted sentence) pairs, of
 *       one longest common subsequence, recovered by a fixed backtracking order;</li>
 *   <li>{@code F = 2PR / (P + R + 1e-8)};</li>
 *   <li>an empty prediction or reference (nothing but dots) raises in the package, which
 *       LongBench catches and scores 0.</li>
 * </ul>
 * Not replicated: Python's recursion limit, which makes the package fail (and LongBench score 0)
 * when one backtracking path exceeds about 1000 steps, i.e. for sentences of ~1000 words.
 */
public final class RougeL {
    private RougeL() {
    }

    public static double score(String prediction, String groundTruth) {
        List<String> hyp = sentences(prediction);
        List<String> ref = sentences(groundTruth);
        if (hyp.isEmpty() || ref.isEmpty()) {
            return 0.0;
        }
        int m = new HashSet<>(words(ref)).size();
        int n = new HashSet<>(words(hyp)).size();
        Set<String> union = new HashSet<>();
        for (String refSentence : ref) {
            List<String> refWords = words(List.of(refSentence));
            for (String hypSentence : hyp) {
                collectLcs(refWords, words(List.of(hypSentence)), union);
            }
        }
        double llcs = union.size();
        double recall = llcs / m;
        double precision = llcs / n;
        return 2.0 * ((precision * recall) / (precision + recall + 1e-8));
    }

    /** {@code [" ".join(s.split()) for s in text.split(".") if len(s) > 0]}: a whitespace-only piece survives as "". */
    static List<String> sentences(String text) {
        List<String> out = new ArrayList<>();
        for (String piece : PythonText.splitOn(text, '.')) {
            if (!piece.isEmpty()) {
                out.add(PythonText.collapseWhitespace(piece));
            }
        }
        return out;
    }

    /** {@code _split_into_words}: each sentence split on single spaces, flattened ("" gives [""]). */
    static List<String> words(List<String> sentences) {
        List<String> out = new ArrayList<>();
        for (String s : sentences) {
            out.addAll(PythonText.splitOn(s, ' '));
        }
        return out;
    }

    /**
     * Adds the words of one LCS of {@code x} (reference) and {@code y} (prediction) to {@code into},
     * backtracking as {@code _recon_lcs} does: diagonal on a match, else up when the cell above
     * is strictly larger, else left.
     */
    static void collectLcs(List<String> x, List<String> y, Set<String> into) {
        int n = x.size();
        int m = y.size();
        int[][] table = new int[n + 1][m + 1];
        for (int i = 1; i <= n; i++) {
            for (int j = 1; j <= m; j++) {
                table[i][j] = x.get(i - 1).equals(y.get(j - 1))
                        ? table[i - 1][j - 1] + 1
                        : Math.max(table[i - 1][j], table[i][j - 1]);
            }
        }
        int i = n;
        int j = m;
        while (i > 0 && j > 0) {
            if (x.get(i - 1).equals(y.get(j - 1))) {
                into.add(x.get(i - 1));
                i--;
                j--;
            } else if (table[i - 1][j] > table[i][j - 1]) {
                i--;
            } else {
                j--;
            }
        }
    }
}
