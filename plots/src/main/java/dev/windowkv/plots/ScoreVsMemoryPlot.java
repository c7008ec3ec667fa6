package dev.windowkv.plots;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.DoubleUnaryOperator;
import java.util.function.ToDoubleFunction;

/**
 * The memory-accuracy trade-off for one task type: mean score against KV-cache size, one line per
 * policy label whose points are its budgets (labelled with the budget, with error bars of one
 * standard error), and the FullKV mean score as a dashed horizontal reference that ends at the full
 * cache's size.
 *
 * <p>Lines that coincide (SnapKV and PyramidKV both at 1.0, say) are drawn {@link #OFFSET_STEP}
 * apart, and the figure says so; a panel where FullKV itself scores at most {@link #CHANCE_SCORE}
 * says that the model cannot do these tasks, so its differences are chance.
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

    /**
     * A FullKV mean score at or below this is chance level: on the task suite's [0, 1] metrics the
     * uncompressed model then gets (nearly) nothing right, and a policy cannot do better except by luck.
     */
    static final double CHANCE_SCORE = 0.05;

    /** The y axis title: the error bars are one standard error of the mean, not a deviation or a CI. */
    static final String Y_TITLE = "Mean score (error bars: \u00b1 1 s.e.)";

    /** Vertical distance between coinciding lines, in score units (about 9 pixels at the default size). */
    static final double OFFSET_STEP = 0.02;

    /** Points closer than this (score) are the same height; x: this share of the axis span. */
    static final double COINCIDE_Y = 0.01;
    static final double COINCIDE_X = 0.03;

    /**
     * Room above 1.0 for a line drawn above a perfect score, small enough that no tick is labelled
     * above 1 (a tick-label formatter would do it, but hangs XChart 3.8.8's tick calculation).
     */
    static final double Y_MAX = 1.04;

    private ScoreVsMemoryPlot() {
    }

    /** The chart for the rows of {@code taskType} (other rows are ignored), without a sweep name. */
    public static NotedXYChart chart(List<SweepRow> rows, String taskType, Axis axis, PolicyPalette palette,
                                     int width, int height) {
        return chart(rows, taskType, axis, palette, width, height, null);
    }

    /** The chart for the rows of {@code taskType}, titled with the sweep's name (null: none). */
    public static NotedXYChart chart(List<SweepRow> rows, String taskType, Axis axis, PolicyPalette palette,
                                     int width, int height, String sweepName) {
        List<SweepRow> ofType = rows.stream().filter(r -> taskType.equals(r.taskType())).toList();
        NotedXYChart chart = new NotedXYChart(new XYChartBuilder().width(width).height(height)
                .title(title(sweepName, taskTypeTitle(taskType)) + modelSuffix(ofType))
                .xAxisTitle(axis.title).yAxisTitle(Y_TITLE));
        FigureStyle.apply(chart.getStyler());
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(Y_MAX);
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
        record Line(String label, String policy, int[] budgets, double[] x, double[] y, double[] err) {
        }
        List<Line> lines = new ArrayList<>();
        double minX = Double.POSITIVE_INFINITY;
        double maxX = 0;
        for (var e : byLabel.entrySet()) {
            int n = e.getValue().size();
            double[] x = new double[n];
            double[] y = new double[n];
            double[] err = new double[n];
            int[] budgets = new int[n];
            int i = 0;
            for (var b : e.getValue().entrySet()) {
                List<SweepRow> samples = b.getValue();
                budgets[i] = b.getKey();
                x[i] = mean(samples, axis.size);
                MeanScore m = MeanScore.of(samples.stream().map(SweepRow::score).toList());
                y[i] = m.mean();
                err[i] = m.errorBar();
                minX = Math.min(minX, x[i]);
                maxX = Math.max(maxX, x[i]);
                i++;
            }
            String policy = e.getValue().firstEntry().getValue().getFirst().policy();
            lines.add(new Line(e.getKey(), policy, budgets, x, y, err));
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
        double axisLo;
        double axisHi;
        if (log) {
            DecimalFormat f = new DecimalFormat("#,##0.###", DecimalFormatSymbols.getInstance(Locale.ROOT));
            chart.getStyler().setxAxisTickLabelsFormattingFunction(t -> f.format(reference * Math.pow(2, t)));
            // aim for one tick per halving of the cache: the plot is about 70% of the figure wide
            double span = toAxis.applyAsDouble(hi) - toAxis.applyAsDouble(lo);
            chart.getStyler().setXAxisTickMarkSpacingHint((int) Math.max(60, 0.7 * width / Math.max(span, 1)));
            axisLo = toAxis.applyAsDouble(lo) - 0.25;
            axisHi = toAxis.applyAsDouble(hi) + 0.25;
        } else {
            chart.getStyler().setXAxisDecimalPattern("#,##0.##");
            double pad = Double.isFinite(hi - lo) && hi > lo ? 0.05 * (hi - lo) : 1;
            axisLo = Double.isFinite(lo) ? Math.max(0, lo - pad) : 0;
            axisHi = Double.isFinite(hi) ? hi + pad : 1;
        }
        chart.getStyler().setXAxisMin(axisLo);
        chart.getStyler().setXAxisMax(axisHi);
        double span = axisHi - axisLo;

        List<double[]> xs = new ArrayList<>();
        List<double[]> ys = new ArrayList<>();
        for (Line l : lines) {
            double[] x = l.x().clone();
            for (int i = 0; i < x.length; i++) {
                x[i] = toAxis.applyAsDouble(x[i]);
            }
            xs.add(x);
            ys.add(l.y());
        }
        double[] offsets = CoincidentLines.offsets(xs, ys, COINCIDE_X * span, COINCIDE_Y, OFFSET_STEP);
        List<Note> budgetLabels = new ArrayList<>();
        for (int li = 0; li < lines.size(); li++) {
            Line l = lines.get(li);
            double[] x = xs.get(li);
            double[] y = l.y().clone();
            for (int i = 0; i < y.length; i++) {
                y[i] += offsets[li];
            }
            XYSeries s = chart.addSeries(l.label(), x, y, l.err());
            PolicyPalette.Style style = palette.style(l.label(), l.policy());
            style.applyTo(s);
            // the budget above left of its point: scores rise with the budget, so the segment from the
            // previous point arrives from below left and the next one leaves above right
            for (int i = 0; i < x.length; i++) {
                Note label = new Note(Integer.toString(l.budgets()[i]), x[i], y[i], -7, -8, Note.Align.RIGHT,
                        FigureStyle.POINT_LABELS, style.color().darker());
                if (budgetLabels.stream().noneMatch(o -> o.text().equals(label.text())
                        && Math.abs(o.x() - label.x()) < COINCIDE_X * span && Math.abs(o.y() - label.y()) < 0.06)) {
                    budgetLabels.add(label);
                }
            }
        }
        budgetLabels.forEach(chart::addNote);
        if (!full.isEmpty()) {
            double fullScore = MeanScore.of(full.stream().map(SweepRow::score).toList()).mean();
            String label = full.getFirst().label();
            XYSeries ref = chart.addSeries(label.equalsIgnoreCase("full") ? "FullKV" : label,
                    new double[]{toAxis.applyAsDouble(refStart), toAxis.applyAsDouble(fullX)},
                    new double[]{fullScore, fullScore});
            ref.setLineColor(Color.BLACK);
            ref.setLineStyle(PolicyPalette.REFERENCE_LINE);
            ref.setMarker(SeriesMarkers.NONE);
            if (fullScore <= CHANCE_SCORE) {
                chart.addNote(new Note(String.format(Locale.ROOT,
                        "FullKV itself scores %.2f here (chance level: \u2264 %.2f):\nthe model cannot do these tasks,"
                                + " so differences between policies are chance.", fullScore, CHANCE_SCORE),
                        (axisLo + axisHi) / 2, 0.62, 0, 0, Note.Align.CENTER, FigureStyle.NOTES, FigureStyle.INK));
            }
        }
        double shift = Arrays.stream(offsets).map(Math::abs).max().orElse(0);
        if (shift > 0) {
            chart.addLegendNote(String.format(Locale.ROOT, "Coinciding lines\ndrawn %.2f apart\n(shifted \u2264 \u00b1%.2f)",
                    OFFSET_STEP, shift), axisLo, -1);
        }
        return chart;
    }

    /** "Sweep name · what", or just "what" without a sweep name. */
    static String title(String sweepName, String what) {
        return sweepName == null || sweepName.isBlank() ? what : "Sweep " + sweepName + TITLE_SEPARATOR + what;
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
