package dev.windowkv.experiments.longbench;

/**
 * fuzzywuzzy's {@code fuzz.ratio} with python-Levenshtein installed, which LongBench's
 * {@code code_sim_score} divides by 100: the Levenshtein ratio
 * {@code (|a| + |b| - indel(a, b)) / (|a| + |b|)}, where {@code indel} is the edit distance with
 * insertions and deletions only (a substitution costs 2), i.e. {@code 2·LCS / (|a| + |b|)} over
 * code points, times 100 and rounded half-to-even as Python's {@code round} does.
 */
public final class FuzzRatio {
    private FuzzRatio() {
    }

    /** 0 to 100. Equal strings (both empty included) give 100; otherwise an empty one gives 0. */
    public static int ratio(String a, String b) {
        if (a.equals(b)) {
            return 100;
        }
        if (a.isEmpty() || b.isEmpty()) {
            return 0;
        }
        int[] x = a.codePoints().toArray();
        int[] y = b.codePoints().toArray();
        int lensum = x.length + y.length;
        int indel = lensum - 2 * longestCommonSubsequence(x, y);
        double levenshteinRatio = (double) (lensum - indel) / lensum;
        return (int) Math.rint(100 * levenshteinRatio);
    }

    static int longestCommonSubsequence(int[] x, int[] y) {
        int[] previous = new int[y.length + 1];
        int[] current = new int[y.length + 1];
        for (int i = 1; i <= x.length; i++) {
            for (int j = 1; j <= y.length; j++) {
                current[j] = x[i - 1] == y[j - 1] ? previous[j - 1] + 1 : Math.max(previous[j], current[j - 1]);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[y.length];
    }
}
