package dev.windowkv.experiments.classifier;

import java.util.Arrays;

/**
 * A binary logistic-regression head, {@code p(y=1|x) = σ(w·z + b)} on standardized features
 * {@code z = (x − mean) / scale}, trained by full-batch gradient descent on the mean log-loss
 * plus {@code l2/2·|w|²}. Small enough to ship as a JSON resource (see {@link TaskClassifierWeights}).
 */
public final class LogisticRegression {
    private final double[] mean;
    private final double[] scale;
    private final double[] weights;
    private double bias;

    public LogisticRegression(double[] mean, double[] scale, double[] weights, double bias) {
        if (mean.length != weights.length || scale.length != weights.length) {
            throw new IllegalArgumentException("mean, scale and weights must have one entry per feature");
        }
        this.mean = mean.clone();
        this.scale = scale.clone();
        this.weights = weights.clone();
        this.bias = bias;
    }

    /** Training settings; the defaults train the shipped task classifier. */
    public record Options(int epochs, double learningRate, double l2) {
        public static final Options DEFAULT = new Options(500, 0.5, 1e-3);
    }

    /** Fits standardization on {@code x}, then the weights on labels {@code y} ∈ {0, 1}. */
    public static LogisticRegression fit(double[][] x, int[] y, Options options) {
        if (x.length == 0 || x.length != y.length) {
            throw new IllegalArgumentException("need as many labels as samples, and at least one");
        }
        int d = x[0].length;
        double[] mean = new double[d];
        double[] scale = new double[d];
        for (double[] row : x) {
            for (int j = 0; j < d; j++) {
                mean[j] += row[j] / x.length;
            }
        }
        for (double[] row : x) {
            for (int j = 0; j < d; j++) {
                scale[j] += (row[j] - mean[j]) * (row[j] - mean[j]) / x.length;
            }
        }
        for (int j = 0; j < d; j++) {
            // A constant feature keeps scale 1 instead of dividing by zero.
            scale[j] = scale[j] > 1e-12 ? Math.sqrt(scale[j]) : 1.0;
        }
        LogisticRegression model = new LogisticRegression(mean, scale, new double[d], 0.0);
        double[][] z = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            z[i] = model.standardize(x[i]);
        }
        double[] gradient = new double[d];
        for (int epoch = 0; epoch < options.epochs(); epoch++) {
            Arrays.fill(gradient, 0.0);
            double biasGradient = 0.0;
            for (int i = 0; i < z.length; i++) {
                double error = sigmoid(dot(model.weights, z[i]) + model.bias) - y[i];
                for (int j = 0; j < d; j++) {
                    gradient[j] += error * z[i][j];
                }
                biasGradient += error;
            }
            for (int j = 0; j < d; j++) {
                model.weights[j] -= options.learningRate() * (gradient[j] / z.length + options.l2() * model.weights[j]);
            }
            model.bias -= options.learningRate() * biasGradient / z.length;
        }
        return model;
    }

    /** p(y = 1 | x). */
    public double probability(double[] x) {
        return sigmoid(dot(weights, standardize(x)) + bias);
    }

    public double probability(float[] x) {
        double[] asDouble = new double[x.length];
        for (int j = 0; j < x.length; j++) {
            asDouble[j] = x[j];
        }
        return probability(asDouble);
    }

    public int dimension() {
        return weights.length;
    }

    public double[] mean() {
        return mean.clone();
    }

    public double[] scale() {
        return scale.clone();
    }

    public double[] weights() {
        return weights.clone();
    }

    public double bias() {
        return bias;
    }

    private double[] standardize(double[] x) {
        if (x.length != weights.length) {
            throw new IllegalArgumentException("expected " + weights.length + " features, got " + x.length);
        }
        double[] z = new double[x.length];
        for (int j = 0; j < x.length; j++) {
            z[j] = (x[j] - mean[j]) / scale[j];
        }
        return z;
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0.0;
        for (int j = 0; j < a.length; j++) {
            sum += a[j] * b[j];
        }
        return sum;
    }

    static double sigmoid(double t) {
        return t >= 0 ? 1.0 / (1.0 + Math.exp(-t)) : Math.exp(t) / (1.0 + Math.exp(t));
    }
}
