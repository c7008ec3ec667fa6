package dev.windowkv.experiments.longbench;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;

/**
 * LongBench's scoring rule ({@code eval.py scorer}): a prediction's score is the maximum of the
 * dataset's metric over the reference answers (first line only for trec, triviaqa, samsum and
 * lsht); a dataset's score is {@code round(100 · mean, 2)}.
 */
public final class LongBenchScorer {
    private LongBenchScorer() {
    }

    public static double scoreSample(LongBenchDataset dataset, String prediction, List<String> answers, List<String> allClasses) {
        if (dataset.metric() == null) {
            throw new LongBenchFileError("LongBench dataset " + dataset.name() + " needs jieba word segmentation, which is not implemented; leave it out of the datasets");
        }
        String scored = dataset.scoresFirstLineOnly() ? PythonText.firstLine(prediction) : prediction;
        double best = 0.0;
        for (String answer : answers) {
            best = Math.max(best, dataset.metric().score(scored, answer, allClasses));
        }
        return best;
    }

    public static double scoreSample(LongBenchDataset dataset, String prediction, LongBenchSample sample) {
        return scoreSample(dataset, prediction, sample.answers(), sample.allClasses());
    }

    /** The dataset score in LongBench's units (0 to 100, two decimals) from per-sample scores. */
    public static double datasetScore(List<Double> sampleScores) {
        if (sampleScores.isEmpty()) {
            throw new IllegalArgumentException("no samples to score");
        }
        double total = 0.0;
        for (double s : sampleScores) {
            total += s; // summed in order, as eval.py does
        }
        return roundHalfEven(100 * total / sampleScores.size(), 2);
    }

    /** Python's {@code round(x, digits)}: correctly rounded from the exact binary value, ties to even. */
    static double roundHalfEven(double x, int digits) {
        return new BigDecimal(x).setScale(digits, RoundingMode.HALF_EVEN).doubleValue();
    }
}
