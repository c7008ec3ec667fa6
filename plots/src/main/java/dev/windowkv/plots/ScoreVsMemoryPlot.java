package dev.windowkv.plots;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.DoubleUnaryOperator;
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

    /** Separates the parts of a figure title; the axes already say what is plotted. */
    static final String TITLE_SEPARATOR = " \u00b7 ";

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
                .title(taskTypeTitle(taskType) + modelSuffix(ofType))
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

        // the points first: whether the axis is logarithmic depends on all of them
        record Line(String label, String policy, double[] x, double[] y, double[] err) {
        }
        List<Line> lines = new ArrayList<>();
        double minX = Double.POSITIVE_INFINITY;
        double maxX = 0;
        for (var e : byLabel.entrySet()) {
            int n = e.getValue().size();
            double[] x = new double[n];
            double[] y = new double[n];
            double[] err = new double[n];
            int i = 0;
            for (List<SweepRow> samples : e.getValue().values()) {
                x[i] = mean(samples, axis.size);
                MeanScore m = MeanScore.of(samples.stream().map(SweepRow::score).toList());
                y[i] = m.mean();
                err[i] = m.errorBar();
                minX = Math.min(minX, x[i]);
                maxX = Math.max(maxX, x[i]);
                i++;
            }
            String policy = e.getValue().firstEntry().getValue().getFirst().policy();
            lines.add(new Line(e.getKey(), policy, x, y, err));
        }
        double fullX = full.isEmpty() ? Double.NaN : mean(full, axis.fullSize);
        if (!full.isEmpty() && !(fullX > 0)) { // full rows without sizes: end the line at the last point
            fullX = maxX > 0 ? maxX : 1;
        }
        double refStart = Double.isFinite(minX) ? Math.min(minX, fullX) : fullX / 2;
        double lo = full.isEmpty() ? minX : Math.min(minX, refStart);
        double hi = full.isEmpty() ? maxX : Math.max(maxX, fullX);

        // Budgets are usually powers of two, so a log axis shows them evenly spaced. XChart's own
        // log axis labels every 1..9 x 10^k and hangs with a label formatter (3.8.8), so the axis
        // is linear in log2(size / reference), labelled with sizes: the reference, its halves...
        // The reference is 100% or the power of two nearest the full cache's MiB.
        double reference = axis == Axis.PERCENT_OF_FULL ? 100
                : Math.pow(2, Math.round(Math.log(full.isEmpty() ? hi : fullX) / Math.log(2)));
        boolean log = lo > 0 && hi / lo > LOG_AXIS_RATIO;
        DoubleUnaryOperator toAxis = log ? v -> Math.log(v / reference) / Math.log(2) : v -> v;
        if (log) {
            DecimalFormat f = new DecimalFormat("#,##0.###", DecimalFormatSymbols.getInstance(Locale.ROOT));
            chart.getStyler().setxAxisTickLabelsFormattingFunction(t -> f.format(reference * Math.pow(2, t)));
            // aim for one tick per halving of the cache: the plot is about 70% of the figure wide
            double span = toAxis.applyAsDouble(hi) - toAxis.applyAsDouble(lo);
            chart.getStyler().setXAxisTickMarkSpacingHint((int) Math.max(60, 0.7 * width / Math.max(span, 1)));
            chart.getStyler().setXAxisMin(toAxis.applyAsDouble(lo) - 0.25);
            chart.getStyler().setXAxisMax(toAxis.applyAsDouble(hi) + 0.25);
        } else {
            chart.getStyler().setXAxisDecimalPattern("#,##0.##");
        }

        for (Line l : lines) {
            double[] x = l.x().clone();
            for (int i = 0; i < x.length; i++) {
                x[i] = toAxis.applyAsDouble(x[i]);
            }
            XYSeries s = chart.addSeries(l.label(), x, l.y(), l.err());
            palette.style(l.label(), l.policy()).applyTo(s);
        }
        if (!full.isEmpty()) {
            double fullScore = MeanScore.of(full.stream().map(SweepRow::score).toList()).mean();
            String label = full.getFirst().label();
            XYSeries ref = chart.addSeries(label.equalsIgnoreCase("full") ? "FullKV" : label,
                    new double[]{toAxis.applyAsDouble(refStart), toAxis.applyAsDouble(fullX)},
                    new double[]{fullScore, fullScore});
            ref.setLineColor(Color.BLACK);
            ref.setLineStyle(PolicyPalette.REFERENCE_LINE);
            ref.setMarker(SeriesMarkers.NONE);
        }
        return chart;
    }

    private static double mean(List<SweepRow> rows, ToDoubleFunction<SweepRow> f) {
        return rows.stream().mapToDouble(f).average().orElse(Double.NaN);
    }

    static String taskTypeTitle(String taskType) {
        return switch (taskType) {
            case "QA" -> "QA tasks";
            case "AGGREGATION" -> "Aggregation tasks";
            default -> taskType;
        };
    }

    /** " · model" when all rows share one model, else nothing. */
    static String modelSuffix(List<SweepRow> rows) {
        List<String> models = rows.stream().map(SweepRow::model).filter(m -> m != null && !m.isBlank())
                .distinct().toList();
        return models.size() == 1 ? TITLE_SEPARATOR + models.getFirst() : "";
    }
}
