package dev.windowkv.experiments.longbench;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * LongBench's per-sample metrics ({@code metrics.py}), each scoring one prediction against one
 * reference answer in [0, 1]. The Chinese {@code qa_f1_zh_score} and {@code rouge_zh_score} need
 * jieba word segmentation and are not implemented.
 */
public enum LongBenchMetric {
    /** {@code qa_f1_score}: token F1 after SQuAD normalization. */
    QA_F1 {
        @Override
        public double score(String prediction, String groundTruth, List<String> allClasses) {
            return QaF1Score.score(prediction, groundTruth);
        }
    },
    /** {@code rouge_score}: ROUGE-L F of the {@code rouge} package. */
    ROUGE_L {
        @Override
        public double score(String prediction, String groundTruth, List<String> allClasses) {
            return RougeL.score(prediction, groundTruth);
        }
    },
    /**
     * {@code classification_score}: the classes named in the prediction (substring match), less
     * those that are a strict substring of the answer; 1/|matches| if the answer is among them.
     */
    CLASSIFICATION {
        @Override
        public double score(String prediction, String groundTruth, List<String> allClasses) {
            List<String> matches = new ArrayList<>();
            for (String className : allClasses) {
                if (prediction.contains(className)) {
                    matches.add(className);
                }
            }
            // metrics.py removes from the list it is iterating over, so Python skips the element
            // after each removal; walking an index that always advances reproduces that.
            for (int i = 0; i < matches.size(); i++) {
                String term = matches.get(i);
                if (groundTruth.contains(term) && !term.equals(groundTruth)) {
                    matches.remove(term);
                }
            }
            return matches.contains(groundTruth) ? 1.0 / matches.size() : 0.0;
        }
    },
    /** {@code retrieval_score}: the share of numbers in the prediction equal to the answer's "Paragraph N". */
    RETRIEVAL {
        @Override
        public double score(String prediction, String groundTruth, List<String> allClasses) {
            return shareOfNumbersEqualTo(prediction, paragraphId(PARAGRAPH, groundTruth));
        }
    },
    /** {@code retrieval_zh_score}: as RETRIEVAL with the answer written "段落N". */
    RETRIEVAL_ZH {
        @Override
        public double score(String prediction, String groundTruth, List<String> allClasses) {
            return shareOfNumbersEqualTo(prediction, paragraphId(PARAGRAPH_ZH, groundTruth));
        }
    },
    /** {@code count_score}: the share of numbers in the prediction equal to the answer. */
    COUNT {
        @Override
        public double score(String prediction, String groundTruth, List<String> allClasses) {
            return shareOfNumbersEqualTo(prediction, groundTruth);
        }
    },
    /**
     * {@code code_sim_score}: the first predicted line (after leading newlines) holding no
     * {@code `}, {@code #} or {@code //}, compared with {@code fuzz.ratio / 100}.
     */
    CODE_SIM {
        @Override
        public double score(String prediction, String groundTruth, List<String> allClasses) {
            String firstCodeLine = "";
            for (String line : PythonText.linesAfterLeadingNewlines(prediction)) {
                if (!line.contains("`") && !line.contains("#") && !line.contains("//")) {
                    firstCodeLine = line;
                    break;
                }
            }
            return FuzzRatio.ratio(firstCodeLine, groundTruth) / 100.0;
        }
    };

    // Python 3's \d on str matches any Unicode decimal digit.
    private static final Pattern NUMBER = Pattern.compile("\\d+", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern PARAGRAPH = Pattern.compile("Paragraph (\\d+)", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern PARAGRAPH_ZH = Pattern.compile("段落(\\d+)", Pattern.UNICODE_CHARACTER_CLASS);

    /** One prediction against one reference answer, in [0, 1]. */
    public abstract double score(String prediction, String groundTruth, List<String> allClasses);

    private static double shareOfNumbersEqualTo(String prediction, String expected) {
        Matcher numbers = NUMBER.matcher(prediction);
        int found = 0;
        int right = 0;
        while (numbers.find()) {
            found++;
            if (numbers.group().equals(expected)) {
                right++;
            }
        }
        return found == 0 ? 0.0 : (double) right / found;
    }

    private static String paragraphId(Pattern pattern, String groundTruth) {
        Matcher m = pattern.matcher(groundTruth);
        if (!m.find()) {
            throw new IllegalArgumentException("retrieval answer \"" + groundTruth + "\" names no paragraph");
        }
        return m.group(1);
    }
}
