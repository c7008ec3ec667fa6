package dev.windowkv.plots;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;

import java.awt.Color;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Retrieval against the length of what is retrieved: mean score against value span (the tokens the
 * needle's value takes), one line per policy label at one budget, with standard-error bars, and
 * FullKV's line dashed in black as the ceiling. A token-level selection that keeps the start of a
 * value and loses its end shows here as a line that falls with the span.
 */
public final class ScoreVsValueSpanPlot {
    private ScoreVsValueSpanPlot() {
    }

    /**
     * The chart of the rows that record a value span, compressed rows at {@code budget} and the
     * FullKV rows; null if they hold fewer than two spans (no line to draw).
     */
    public static XYChart chart(List<SweepRow> rows, int budget, PolicyPalette palette, int width, int height) {
        List<SweepRow> picked = rows.stream()
                .filter(r -> r.valueSpan() != null && (r.isFull() || r.budgetOrZero() == budget))
                .toList();
        if (picked.stream().map(SweepRow::valueSpan).distinct().count() < 2) {
            return null;
        }
        // label -> span -> scores; FullKV first in the palette's order
        Map<String, TreeMap<Integer, List<Double>>> byLabel = new TreeMap<>(palette.labelOrder());
        Map<String, String> policyOf = new TreeMap<>();
        for (SweepRow r : picked) {
            byLabel.computeIfAbsent(r.label(), k -> new TreeMap<>())
                    .computeIfAbsent(r.valueSpan(), k -> new ArrayList<>()).add(r.score());
            policyOf.put(r.label(), r.policy());
        }
        XYChart chart = new XYChartBuilder().width(width).height(height)
                .title("Retrieval by value span" + ScoreVsMemoryPlot.TITLE_SEPARATOR + "budget " + budget
                        + ScoreVsMemoryPlot.modelSuffix(picked))
                .xAxisTitle("Value span (tokens)").yAxisTitle("Mean score").build();
        FigureStyle.apply(chart.getStyler());
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.05);
        chart.getStyler().setYAxisDecimalPattern("0.0");
        chart.getStyler().setErrorBarsColorSeriesColor(true);
        // Spans double from 1 to 32 or so: plot log2(span), labelled with the span.
        DecimalFormat f = new DecimalFormat("#,##0.#", DecimalFormatSymbols.getInstance(Locale.ROOT));
        chart.getStyler().setxAxisTickLabelsFormattingFunction(t -> f.format(Math.pow(2, t)));
        double maxLog = Math.log(picked.stream().mapToInt(SweepRow::valueSpan).max().orElse(1)) / Math.log(2);
        double minLog = Math.log(picked.stream().mapToInt(SweepRow::valueSpan).min().orElse(1)) / Math.log(2);
        chart.getStyler().setXAxisMin(minLog - 0.25).setXAxisMax(maxLog + 0.25);
        // one tick per doubling: the plot is about 70% of the figure wide
        // (the axis spans the doublings plus a quarter on each side; a hint wider than one doubling shows no tick)
        double pxPerDoubling = 0.7 * width / (maxLog - minLog + 0.5);
        chart.getStyler().setXAxisTickMarkSpacingHint((int) Math.max(40, 0.9 * pxPerDoubling));

        for (var e : byLabel.entrySet()) {
            int n = e.getValue().size();
            double[] x = new double[n];
            double[] y = new double[n];
            double[] err = new double[n];
            int i = 0;
            for (var s : e.getValue().entrySet()) {
                MeanScore m = MeanScore.of(s.getValue());
                x[i] = Math.log(s.getKey()) / Math.log(2);
                y[i] = m.mean();
                err[i] = m.errorBar();
                i++;
            }
            String label = e.getKey();
            boolean full = picked.stream().anyMatch(r -> r.label().equals(label) && r.isFull());
            XYSeries series = chart.addSeries(full && label.equalsIgnoreCase("full") ? "FullKV" : label, x, y, err);
            if (full) {
                series.setLineColor(Color.BLACK);
                series.setMarkerColor(Color.BLACK);
                series.setLineStyle(PolicyPalette.REFERENCE_LINE);
            } else {
                palette.style(label, policyOf.get(label)).applyTo(series);
            }
        }
        return chart;
    }

    /** The budget to draw: the given one, else the smallest compressed budget among rows with a span. */
    static Integer budget(List<SweepRow> rows, Integer requested) {
        if (requested != null) {
            return requested;
        }
        return Plots.smallestBudget(rows.stream().filter(r -> r.valueSpan() != null).toList());
    }
}
