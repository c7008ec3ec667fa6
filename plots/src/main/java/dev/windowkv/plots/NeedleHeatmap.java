package dev.windowkv.plots;

import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.style.HeatMapStyler;
import org.knowm.xchart.style.Styler;

import java.awt.Color;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Needle-in-a-haystack retrieval for one policy at one budget: context length across, needle depth
 * down (0% = start of the prompt, at the top), colour = mean score of the samples in that cell. The
 * colour scale is fixed to [0, 1] so heatmaps of different policies compare by eye.
 */
public final class NeedleHeatmap {

    /** Viridis at five stops: perceptually even, colour-blind safe, prints in greyscale. */
    static final Color[] SCALE = {
            new Color(0x440154), new Color(0x3B528B), new Color(0x21918C), new Color(0x5EC962), new Color(0xFDE725)};

    /** What the colour means; XChart draws the bar untitled. */
    static final String COLOUR_BAR_TITLE = "Mean score";

    /** Cell values to two decimals: with 5 samples a cell moves in steps of 0.2, with 20 of 0.05. */
    static final String VALUE_PATTERN = "0.00";

    private NeedleHeatmap() {
    }

    /**
     * The heatmap of the needle rows (those with a depth) of policy label {@code label} at
     * {@code budget} (0 for the full cache); null if there are none.
     */
    public static ValueHeatMapChart chart(List<SweepRow> rows, String label, int budget, int width, int height) {
        return chart(rows, label, budget, width, height, null);
    }

    /** As above, the title starting with the sweep's name (null: none). */
    public static ValueHeatMapChart chart(List<SweepRow> rows, String label, int budget, int width, int height,
                                          String sweepName) {
        // length -> depth -> scores
        Map<Integer, Map<Double, List<Double>>> cells = new TreeMap<>();
        List<SweepRow> picked = new ArrayList<>();
        for (SweepRow r : rows) {
            if (r.depth() != null && label.equals(r.label()) && r.budgetOrZero() == budget) {
                picked.add(r);
                cells.computeIfAbsent(r.length(), k -> new TreeMap<>())
                        .computeIfAbsent(r.depth(), k -> new ArrayList<>()).add(r.score());
            }
        }
        if (picked.isEmpty()) {
            return null;
        }
        List<Integer> lengths = new ArrayList<>(cells.keySet());
        List<Double> depths = cells.values().stream().flatMap(m -> m.keySet().stream())
                .distinct().sorted(Collections.reverseOrder()).toList(); // 0% drawn at the top

        List<Number[]> heat = new ArrayList<>();
        for (int xi = 0; xi < lengths.size(); xi++) {
            for (var d : cells.get(lengths.get(xi)).entrySet()) {
                int yi = depths.indexOf(d.getKey());
                heat.add(new Number[]{xi, yi, MeanScore.of(d.getValue()).mean()});
            }
        }

        String budgetText = budget == 0 ? "full cache" : "budget " + budget;
        ValueHeatMapChart chart = new ValueHeatMapChart(new HeatMapChartBuilder().width(width).height(height)
                .title(ScoreVsMemoryPlot.title(sweepName, "Needle in a haystack" + ScoreVsMemoryPlot.TITLE_SEPARATOR + label
                        + ScoreVsMemoryPlot.TITLE_SEPARATOR + budgetText))
                .xAxisTitle("Context length (tokens)").yAxisTitle("Needle depth (%)"), COLOUR_BAR_TITLE, VALUE_PATTERN);
        HeatMapStyler s = chart.getStyler();
        FigureStyle.apply(s);
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setPlotBorderVisible(false);
        s.setRangeColors(SCALE);
        s.setMin(0).setMax(1);
        s.setDrawBorder(true);
        s.setLegendLayout(Styler.LegendLayout.Vertical);
        s.setGradientColorColumnWeight(22);
        s.setGradientColorColumnHeight(Math.max(120, height / 2));
        s.setHeatMapValueDecimalPattern("0.0");
        s.setPlotGridLinesVisible(false);
        // XChart would print every value in one colour, unreadable on one end of viridis or the
        // other: ValueHeatMapChart prints them, in white or ink by the cell's luminance.
        s.setShowValue(false);

        List<String> xLabels = lengths.stream().map(NeedleHeatmap::lengthText).toList();
        List<String> yLabels = depths.stream().map(NeedleHeatmap::depthText).toList();
        chart.addSeries("Mean score", xLabels, yLabels, heat);
        return chart;
    }

    /** 4096 -> "4K", 3000 -> "3000": the lengths sweeps use are usually powers of two. */
    static String lengthText(int tokens) {
        return tokens >= 1024 && tokens % 1024 == 0 ? (tokens / 1024) + "K" : Integer.toString(tokens);
    }

    /** Depths are fractions in [0, 1]; anything above 1 is taken as already a percentage. */
    static String depthText(double depth) {
        double pct = depth <= 1 ? depth * 100 : depth;
        return pct == Math.rint(pct) ? Long.toString(Math.round(pct)) : String.format(java.util.Locale.ROOT, "%.1f", pct);
    }
}
