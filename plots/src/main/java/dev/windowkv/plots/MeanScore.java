package dev.windowkv.plots;

import java.util.Collection;

/**
 * The mean of some scores with its standard error, {@code s / sqrt(n)} where {@code s} is the
 * sample standard deviation (n - 1 in the denominator). With one score the standard error is
 * undefined and reported as NaN; error bars draw it as zero.
 *
 * @param n         how many scores
 * @param mean      their mean
 * @param stdError  standard error of the mean, NaN when {@code n < 2}
 */
public record MeanScore(int n, double mean, double stdError) {

    public static MeanScore of(Collection<? extends Number> values) {
        int n = values.size();
        if (n == 0) {
            return new MeanScore(0, Double.NaN, Double.NaN);
        }
        double sum = 0;
        for (Number v : values) {
            sum += v.doubleValue();
        }
        double mean = sum / n;
        if (n == 1) {
            return new MeanScore(1, mean, Double.NaN);
        }
        double squares = 0;
        for (Number v : values) {
            double d = v.doubleValue() - mean;
            squares += d * d;
        }
        double sd = Math.sqrt(squares / (n - 1));
        return new MeanScore(n, mean, sd / Math.sqrt(n));
    }

    /** The standard error for an error bar: 0 where it is undefined. */
    public double errorBar() {
        return Double.isNaN(stdError) ? 0 : stdError;
    }
}
