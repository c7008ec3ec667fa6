package dev.windowkv.plots;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * The memory-accuracy trade-off for one task type: mean score against KV-cache size, one line per
 * policy label whose points are its budgets (with standard-error bars), and the FullKV mean score as
 * a dashed horizontal reference that ends at the full cache's size.
 */
public final class ScoreVsMemoryPlot {

    /** What the x axis measures. */
    public enum Axis {
        /** KV-cache bytes after compression, in MiB (2^20 bytes). */
        MIB("KV cache (MiB)", r -> r.kvBytes() / MIB_BYTES, r -> r.fullKvBytes() / MIB_BYTES),
        /** KV-cache size as a percentage of the full cache. */
        PERCENT_OF_FULL("KV cache (% of FullKV)", r -> 100 * r.kvFraction(), r -> 100.0);

        final String title;
        final ToDoubleFunction<SweepRow> size;
        final ToDoubleFunction<SweepRow> fullSize;

        Axis(String title, ToDoubleFunction<SweepRow> size, ToDoubleFunction<SweepRow> fullSize) {
            this.title = title;
            this.size = size;
            this.fullSize = fullSize;
        }
    }

    static final double MIB_BYTES = 1024.0 * 1024.0;

    /** Above this ratio between the largest and smallest x, the x axis is logarithmic. */
    static final double LOG_AXIS_RATIO = 10;

    private ScoreVsMemoryPlot() {
    }

    /** The chart for the rows of {@code taskType} (other rows are ignored). */
    public static XYChart chart(List<SweepRow> rows, String taskType, Axis axis, PolicyPalette palette,
                                int width, int height) {
        List<SweepRow> ofType = rows.stream().filter(r -> taskType.equals(r.taskType())).toList();
        XYChart chart = new XYChartBuilder().width(width).height(height)
                .title("Score vs KV-cache size: " + taskTypeTitle(taskType) + modelSuffix(ofType))
                .xAxisTitle(axis.title).yAxisTitle("Mean score").build();
        FigureStyle.apply(chart.getStyler());
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
        chart.getStyler().setYAxisDecimalPattern("0.0");
        chart.getStyler().setErrorBarsColorSeriesColor(true);

        // label -> budget -> samples
        Map<String, TreeMap<Integer, List<SweepRow>>> byLabel = new TreeMap<>(palette.labelOrder());
        List<SweepRow> full = new ArrayList<>();
        for (SweepRow r : ofType) {
            if (r.isFull()) {
                full.add(r);
            } else {
                byLabel.computeIfAbsent(r.label(), k -> new TreeMap<>())
                        .computeIfAbsent(r.budget(), k -> new ArrayList<>()).add(r);
            }
        }

        double minX = Double.POSITIVE_INFINITY;
        double maxX = 0;
        for (var e : byLabel.entrySet()) {
            int n = e.getValue().size();
            double[] x = new double[n];
            double[] y = new double[n];
            double[] err = new double[n];
            int i = 0;
            String policy = null;
            for (List<SweepRow> samples : e.getValue().values()) {
                policy = samples.getFirst().policy();
                x[i] = mean(samples, axis.size);
                MeanScore m = MeanScore.of(samples.stream().map(SweepRow::score).toList());
                y[i] = m.mean();
                err[i] = m.errorBar();
                i++;
            }
            for (double v : x) {
                minX = Math.min(minX, v);
                maxX = Math.max(maxX, v);
            }
            XYSeries s = chart.addSeries(e.getKey(), x, y, err);
            PolicyPalette.Style style = palette.style(e.getKey(), policy);
            style.applyTo(s);
        }

        if (!full.isEmpty()) {
            double fullScore = MeanScore.of(full.stream().map(SweepRow::score).toList()).mean();
            double fullX = mean(full, axis.fullSize);
            if (!(fullX > 0)) { // a full row without sizes: span the compressed points
                fullX = maxX > 0 ? maxX : 1;
            }
            double from = Double.isFinite(minX) ? Math.min(minX, fullX) : fullX / 2;
            String label = full.getFirst().label();
            XYSeries ref = chart.addSeries(label.equalsIgnoreCase("full") ? "FullKV" : label,
                    new double[]{from, fullX}, new double[]{fullScore, fullScore});
            ref.setLineColor(Color.BLACK);
            ref.setLineStyle(PolicyPalette.REFERENCE_LINE);
            ref.setMarker(SeriesMarkers.NONE);
            maxX = Math.max(maxX, fullX);
            minX = Math.min(minX, from);
        }
        if (Double.isFinite(minX) && minX > 0 && maxX / minX > LOG_AXIS_RATIO) {
            chart.getStyler().setXAxisLogarithmic(true);
            chart.getStyler().setXAxisLogarithmicDecadeOnly(false);
        }
        chart.getStyler().setXAxisDecimalPattern(axis == Axis.MIB ? "#,##0.#" : "0");
        return chart;
    }

    private static double mean(List<SweepRow> rows, ToDoubleFunction<SweepRow> f) {
        return rows.stream().mapToDouble(f).average().orElse(Double.NaN);
    }

    static String taskTypeTitle(String taskType) {
        return switch (taskType) {
            case "QA" -> "QA tasks";
            case "AGGREGATION" -> "aggregation tasks";
            default -> taskType;
        };
    }

    /** " (model)" when all rows share one model, else nothing. */
    static String modelSuffix(List<SweepRow> rows) {
        List<String> models = rows.stream().map(SweepRow::model).filter(m -> m != null && !m.isBlank())
                .distinct().toList();
        return models.size() == 1 ? " (" + models.getFirst() + ")" : "";
    }
}
