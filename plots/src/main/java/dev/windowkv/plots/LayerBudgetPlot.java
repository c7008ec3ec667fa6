package dev.windowkv.plots;

import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How each policy spreads its budget over the layers: tokens kept against layer index, averaged over
 * the samples at one budget and prompt length, with the budget itself as a dashed reference. The
 * full cache is left out: it keeps the whole prompt in every layer and would flatten the rest.
 * Policies that keep the same counts (every uniform one: the budget in each layer) would hide each
 * other: such lines are drawn a few tokens apart, as the figure notes.
 */
public final class LayerBudgetPlot {

    private LayerBudgetPlot() {
    }

    /** Distance between coinciding lines, as a share of the largest count. */
    static final double OFFSET_SHARE = 0.02;

    /** The profile at {@code budget} and prompt {@code length}; null if no row has per-layer counts. */
    public static NotedXYChart chart(List<SweepRow> rows, int budget, int length, PolicyPalette palette,
                                     int width, int height) {
        return chart(rows, budget, length, palette, width, height, null);
    }

    /** As above, the title starting with the sweep's name (null: none). */
    public static NotedXYChart chart(List<SweepRow> rows, int budget, int length, PolicyPalette palette,
                                     int width, int height, String sweepName) {
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
        NotedXYChart chart = new NotedXYChart(new XYChartBuilder().width(width).height(height)
                .title(ScoreVsMemoryPlot.title(sweepName, "Tokens kept per layer" + ScoreVsMemoryPlot.TITLE_SEPARATOR
                        + "budget " + budget + ScoreVsMemoryPlot.TITLE_SEPARATOR + NeedleHeatmap.lengthText(length)
                        + " prompts"))
                .xAxisTitle("Layer").yAxisTitle("Tokens kept"));
        FigureStyle.apply(chart.getStyler());
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        chart.getStyler().setXAxisDecimalPattern("0");
        chart.getStyler().setYAxisDecimalPattern("#,##0");
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setMarkerSize(7);

        int layers = 0;
        double most = budget;
        List<double[]> xs = new ArrayList<>();
        List<double[]> ys = new ArrayList<>();
        for (var e : byLabel.entrySet()) {
            double[] kept = meanPerLayer(e.getValue());
            layers = Math.max(layers, kept.length);
            double[] layer = new double[kept.length];
            for (int i = 0; i < layer.length; i++) {
                layer[i] = i;
                most = Math.max(most, kept[i]);
            }
            xs.add(layer);
            ys.add(kept);
        }
        double step = Math.max(1, Math.round(OFFSET_SHARE * most));
        chart.getStyler().setYAxisMax(most * 1.1);
        double[] offsets = CoincidentLines.offsets(xs, ys, 0, step / 4, step);
        int li = 0;
        for (var e : byLabel.entrySet()) {
            double[] kept = ys.get(li).clone();
            for (int i = 0; i < kept.length; i++) {
                kept[i] += offsets[li];
            }
            XYSeries s = chart.addSeries(e.getKey(), xs.get(li), kept);
            PolicyPalette.Style style = palette.style(e.getKey(), e.getValue().getFirst().policy());
            style.applyTo(s);
            double[][] range = headRange(e.getValue());
            if (range != null) {
                // Head-adaptive budgets (AdaKV): the heads of a layer keep different counts; show their spread.
                for (int side = 0; side < 2; side++) {
                    XYSeries h = chart.addSeries(e.getKey() + (side == 0 ? ": KV head keeping fewest" : ": KV head keeping most"),
                            Arrays.copyOf(xs.get(li), range[side].length), range[side]);
                    style.applyTo(h);
                    h.setMarker(SeriesMarkers.NONE);
                    h.setLineStyle(PolicyPalette.REFERENCE_LINE);
                    most = Math.max(most, Arrays.stream(range[side]).max().orElse(0));
                }
                chart.getStyler().setYAxisMax(most * 1.1);
            }
            li++;
        }
        double shift = Arrays.stream(offsets).map(Math::abs).max().orElse(0);
        XYSeries ref = chart.addSeries("Budget (" + budget + ")", new double[]{0, layers - 1},
                new double[]{budget, budget});
        ref.setLineColor(Color.GRAY);
        ref.setLineStyle(PolicyPalette.REFERENCE_LINE);
        ref.setMarker(SeriesMarkers.NONE);
        if (shift > 0) {
            chart.addLegendNote(String.format(Locale.ROOT, "Coinciding lines\ndrawn %.0f tokens apart\n(shifted \u2264 \u00b1%s)",
                    step, new DecimalFormat("0.#", DecimalFormatSymbols.getInstance(Locale.ROOT)).format(shift)), 0, -most);
        }
        return chart;
    }

    /**
     * Per layer, the mean over samples of the fewest and of the most tokens any one KV head keeps
     * ({@code [0]} and {@code [1]}), from the rows' per-head counts; null when no row has them or
     * every head of every layer keeps the same count (then the mean line says it all).
     */
    static double[][] headRange(List<SweepRow> rows) {
        int layers = 0;
        boolean differ = false;
        for (SweepRow r : rows) {
            if (r.keptPerHead() == null) return null;
            layers = Math.max(layers, r.keptPerHead().length);
            for (int[] heads : r.keptPerHead()) {
                if (Arrays.stream(heads).min().orElse(0) != Arrays.stream(heads).max().orElse(0)) differ = true;
            }
        }
        if (!differ) return null;
        double[][] out = new double[2][layers];
        int[] count = new int[layers];
        for (SweepRow r : rows) {
            for (int l = 0; l < r.keptPerHead().length; l++) {
                out[0][l] += Arrays.stream(r.keptPerHead()[l]).min().orElse(0);
                out[1][l] += Arrays.stream(r.keptPerHead()[l]).max().orElse(0);
                count[l]++;
            }
        }
        for (int l = 0; l < layers; l++) {
            out[0][l] /= Math.max(1, count[l]);
            out[1][l] /= Math.max(1, count[l]);
        }
        return out;
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
