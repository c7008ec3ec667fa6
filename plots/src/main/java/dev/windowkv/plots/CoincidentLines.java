package dev.windowkv.plots;

import java.util.List;

/**
 * Lines that would be drawn on top of each other, hiding all but the last: two lines coincide when
 * they have as many points and every pair of points is within the tolerances. Each group of
 * coinciding lines is spread symmetrically about its true position, one {@code step} apart, in
 * legend order, so every policy stays visible; the figure says by how much.
 */
final class CoincidentLines {

    private CoincidentLines() {
    }

    /** The vertical offset of each line: 0 for a line that coincides with no other. */
    static double[] offsets(List<double[]> xs, List<double[]> ys, double xTolerance, double yTolerance, double step) {
        int n = ys.size();
        int[] root = new int[n];
        for (int i = 0; i < n; i++) {
            root[i] = i;
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                if (coincide(xs.get(i), ys.get(i), xs.get(j), ys.get(j), xTolerance, yTolerance)) {
                    root[find(root, i)] = find(root, j);
                }
            }
        }
        int[] group = new int[n];
        for (int i = 0; i < n; i++) {
            group[i] = find(root, i);
        }
        double[] offsets = new double[n];
        for (int g = 0; g < n; g++) {
            int size = 0;
            for (int i = 0; i < n; i++) {
                size += group[i] == g ? 1 : 0;
            }
            int rank = 0;
            for (int i = 0; i < n; i++) {
                if (group[i] == g) {
                    offsets[i] = size < 2 ? 0 : (rank++ - (size - 1) / 2.0) * step;
                }
            }
        }
        return offsets;
    }

    private static int find(int[] root, int i) {
        while (root[i] != i) {
            i = root[i];
        }
        return i;
    }

    static boolean coincide(double[] xa, double[] ya, double[] xb, double[] yb, double xTolerance, double yTolerance) {
        if (xa.length != xb.length || ya.length != yb.length || xa.length == 0) {
            return false;
        }
        for (int i = 0; i < xa.length; i++) {
            if (Math.abs(xa[i] - xb[i]) > xTolerance || Math.abs(ya[i] - yb[i]) > yTolerance) {
                return false;
            }
        }
        return true;
    }
}
