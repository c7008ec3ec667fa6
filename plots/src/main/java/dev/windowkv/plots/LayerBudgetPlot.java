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

/**
 * How each policy spreads its budget over the layers: tokens kept against layer index, averaged over
 * the samples at one budget and prompt length, with the budget itself as a dashed reference. The
 * full cache is left out: it keeps the whole prompt in every layer and would flatten the rest.
 */
public final class LayerBudgetPlot {

    private LayerBudgetPlot() {
    }

    /** The profile at {@code budget} and prompt {@code length}; null if no row has per-layer counts. */
    public static XYChart chart(List<SweepRow> rows, int budget, int length, PolicyPalette palette,
                                int width, int height) {
        Map<String, List<SweepRow>> byLabel = new TreeMap<>(palette.labelOrder());
        for (SweepRow r : rows) {
            if (!r.isFull() && r.budget() == budget && r.length() == length
                    && r.tokensKeptPerLayer() != null && r.tokensKeptPerLayer().length > 0) {
                byLabel.computeIfAbsent(r.label(), k -> new ArrayList<>()).add(r);
            }
        }
        if (byLabel.isEmpty()) {
            return null;
        }
        XYChart chart = new XYChartBuilder().width(width).height(height)
                .title("Tokens kept per layer" + ScoreVsMemoryPlot.TITLE_SEPARATOR + "budget " + budget
                        + ScoreVsMemoryPlot.TITLE_SEPARATOR + NeedleHeatmap.lengthText(length) + " prompts")
                .xAxisTitle("Layer").yAxisTitle("Tokens kept").build();
        FigureStyle.apply(chart.getStyler());
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        chart.getStyler().setXAxisDecimalPattern("0");
        chart.getStyler().setYAxisDecimalPattern("#,##0");
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setMarkerSize(7);

        int layers = 0;
        for (var e : byLabel.entrySet()) {
            double[] kept = meanPerLayer(e.getValue());
            layers = Math.max(layers, kept.length);
            double[] layer = new double[kept.length];
            for (int i = 0; i < layer.length; i++) {
                layer[i] = i;
            }
            XYSeries s = chart.addSeries(e.getKey(), layer, kept);
            PolicyPalette.Style style = palette.style(e.getKey(), e.getValue().getFirst().policy());
            style.applyTo(s);
        }
        XYSeries ref = chart.addSeries("Budget (" + budget + ")", new double[]{0, layers - 1},
                new double[]{budget, budget});
        ref.setLineColor(Color.GRAY);
        ref.setLineStyle(PolicyPalette.REFERENCE_LINE);
        ref.setMarker(SeriesMarkers.NONE);
        return chart;
    }

    /** Element-wise mean; layers missing from shorter arrays count only the samples that have them. */
    static double[] meanPerLayer(List<SweepRow> rows) {
        int layers = rows.stream().mapToInt(r -> r.tokensKeptPerLayer().length).max().orElse(0);
        double[] sum = new double[layers];
        int[] count = new int[layers];
        for (SweepRow r : rows) {
            int[] kept = r.tokensKeptPerLayer();
            for (int i = 0; i < kept.length; i++) {
                sum[i] += kept[i];
                count[i]++;
            }
        }
        for (int i = 0; i < layers; i++) {
            sum[i] /= count[i];
        }
        return sum;
    }
}
