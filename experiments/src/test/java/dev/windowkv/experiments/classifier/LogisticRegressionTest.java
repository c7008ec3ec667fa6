package dev.windowkv.experiments.classifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class LogisticRegressionTest {

    @Test
    void learnsALinearlySeparableToySet() {
        // label 1 exactly when x0 + x1 > 1; points at least 0.1 from the boundary
        Random random = new Random(7);
        int n = 200;
        double[][] x = new double[n][];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            double a;
            double b;
            do {
                a = random.nextDouble() * 2;
                b = random.nextDouble() * 2;
            } while (Math.abs(a + b - 1) < 0.1);
            x[i] = new double[] {a, b, random.nextGaussian()}; // the third feature is noise
            y[i] = a + b > 1 ? 1 : 0;
        }
        LogisticRegression head = LogisticRegression.fit(x, y, LogisticRegression.Options.DEFAULT);
        int right = 0;
        for (int i = 0; i < n; i++) {
            right += (head.probability(x[i]) >= 0.5 ? 1 : 0) == y[i] ? 1 : 0;
        }
        assertEquals(n, right, "every training point on the right side");
        assertTrue(head.probability(new double[] {1.5, 1.5, 0}) > 0.9);
        assertTrue(head.probability(new double[] {0.1, 0.1, 0}) < 0.1);
        // the weights point along (1, 1) and mostly ignore the noise feature
        double[] w = head.weights();
        assertTrue(w[0] > 0 && w[1] > 0 && Math.abs(w[2]) < 0.2 * Math.min(w[0], w[1]), java.util.Arrays.toString(w));
    }

    @Test
    void sigmoidIsStableAtTheExtremes() {
        assertEquals(0.5, LogisticRegression.sigmoid(0), 0);
        assertEquals(1.0, LogisticRegression.sigmoid(800), 0);
        assertEquals(0.0, LogisticRegression.sigmoid(-800), 0);
    }

    @Test
    void aConstantFeatureDoesNotDivideByZero() {
        double[][] x = {{0, 5}, {1, 5}, {2, 5}, {3, 5}};
        int[] y = {0, 0, 1, 1};
        LogisticRegression head = LogisticRegression.fit(x, y, LogisticRegression.Options.DEFAULT);
        assertEquals(1.0, head.scale()[1]);
        assertTrue(head.probability(new double[] {3, 5}) > 0.5 && head.probability(new double[] {0, 5}) < 0.5);
    }
}
