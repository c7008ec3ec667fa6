package dev.windowkv.plots;

import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which prompt tokens each policy keeps, for one sample at one budget: prompt position across,
 * one band per policy with its layers down (layer 0 on top). A cell is dark where every KV head of
 * the layer keeps the position and light where only some do (head-adaptive or per-head selection);
 * positions are binned when the prompt is wider than the plot. The needle's span is outlined in
 * red, and a diamond marks where each band's observation window starts: the longest prompt suffix
 * every head of every layer keeps. Drawn from the rows that carry {@link SweepRow#keptRanges}.
 */
public final class KeptTokenMap {
    static final Color EVERY_HEAD = new Color(0x2B3A67);
    static final Color SOME_HEADS = new Color(0x9DB4E0);
    static final Color NEEDLE = new Color(0xD1495B);
    static final Color WINDOW = new Color(0x2A9D5C);
    /** Most position columns drawn; longer prompts are binned. */
    static final int MAX_COLUMNS = 256;

    private KeptTokenMap() {
    }

    /** The sample a map is drawn for: its coordinates and one row per policy label (FullKV included). */
    record Sample(String task, int length, Double depth, int sampleIndex, int budget, List<SweepRow> rows) {}

    /**
     * The sample with ranges at {@code budget} (null: the smallest budget that has any) that the most
     * policies share, preferring needle samples; null if no row carries ranges.
     */
    static Sample pick(List<SweepRow> rows, Integer budget, Comparator<String> labelOrder) {
        List<SweepRow> mapped = rows.stream().filter(r -> r.keptRanges() != null && r.keptRanges().length > 0).toList();
        Integer b = budget != null ? budget
                : mapped.stream().filter(r -> !r.isFull()).map(SweepRow::budget).min(Integer::compare).orElse(null);
        if (b == null) return null;
        Map<String, List<SweepRow>> bySample = new TreeMap<>();
        for (SweepRow r : mapped) {
            if (r.isFull() || r.budget().equals(b)) {
                // One prompt per band set: a sample of another value span is another prompt.
                String key = r.task() + "|" + r.length() + "|" + r.depth() + "|" + r.sample() + "|" + r.valueSpan();
                bySample.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
            }
        }
        List<SweepRow> best = bySample.values().stream()
                .filter(g -> g.stream().anyMatch(r -> !r.isFull()))
                .max(Comparator.<List<SweepRow>>comparingInt(g -> g.getFirst().needleSpan() != null ? 1 : 0)
                        .thenComparingInt(List::size)
                        .thenComparingInt(g -> g.getFirst().length())
                        // the longest value: where token-level and window-level selection differ most
                        .thenComparingInt(g -> g.getFirst().valueSpan() == null ? 0 : g.getFirst().valueSpan()))
                .orElse(null);
        if (best == null) return null;
        List<SweepRow> ordered = new ArrayList<>(best);
        ordered.sort(Comparator.comparing(SweepRow::label, labelOrder));
        SweepRow first = ordered.getFirst();
        return new Sample(first.task(), first.length(), first.depth(), first.sample(), b, ordered);
    }

    /** The map for the sample {@link #pick} chooses; null if no row carries ranges. */
    public static XYChart chart(List<SweepRow> rows, Integer budget, PolicyPalette palette, int width, int height) {
        Sample s = pick(rows, budget, palette.labelOrder());
        return s == null ? null : chart(s, width, height);
    }

    static XYChart chart(Sample s, int width, int height) {
        int n = s.rows().stream().mapToInt(KeptTokenMap::promptLength).max().orElse(0);
        int bin = Math.max(1, Math.ceilDiv(n, MAX_COLUMNS));
        int columns = Math.ceilDiv(n, bin);
        int layers = s.rows().stream().mapToInt(r -> r.keptRanges().length).max().orElse(0);
        int gap = 2;
        int bandRows = layers + gap;
        int bands = s.rows().size();
        int plotHeight = Math.max(height, bands * bandRows * 6 + 160);

        XYChart chart = new XYChartBuilder().width(width).height(plotHeight)
                // Short: XChart centres the title on the plot area, and a long one runs off the left edge.
                .title((s.rows().getFirst().valueSpan() != null ? "" : "Kept tokens" + ScoreVsMemoryPlot.TITLE_SEPARATOR) + s.task() + " "
                        + NeedleHeatmap.lengthText(s.length())
                        + (s.depth() != null ? ", " + NeedleHeatmap.depthText(s.depth()) + "%" : "")
                        + (s.rows().getFirst().valueSpan() != null ? ", " + s.rows().getFirst().valueSpan() + "-token value" : "")
                        + ScoreVsMemoryPlot.TITLE_SEPARATOR + "budget " + s.budget())
                .xAxisTitle("Prompt position (token)").yAxisTitle("Layer, per policy").build();
        FigureStyle.apply(chart.getStyler());
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setYAxisTicksVisible(false);
        chart.getStyler().setPlotGridLinesVisible(false);
        chart.getStyler().setXAxisDecimalPattern("#,##0");
        chart.getStyler().setXAxisMin(0.0).setXAxisMax((double) n);
        chart.getStyler().setYAxisMin(-(double) bands * bandRows).setYAxisMax(1.0);
        chart.getStyler().setMarkerSize(Math.max(2, Math.min(8, (width - 200) / Math.max(1, columns))));

        List<double[]> every = new ArrayList<>(), some = new ArrayList<>(), window = new ArrayList<>();
        int[] needle = null;
        for (int p = 0; p < bands; p++) {
            SweepRow r = s.rows().get(p);
            double top = -(double) p * bandRows;
            double[][] share = shares(r.keptRanges(), n, bin);
            for (int l = 0; l < share.length; l++) {
                for (int c = 0; c < columns; c++) {
                    double x = (c + 0.5) * bin;
                    if (share[l][c] >= 1) every.add(new double[] {x, top - l});
                    else if (share[l][c] > 0) some.add(new double[] {x, top - l});
                }
            }
            int w = windowLength(r.keptRanges(), promptLength(r));
            if (!r.isFull() && w > 0) {
                for (int l = 0; l < r.keptRanges().length; l++) window.add(new double[] {promptLength(r) - w, top - l});
            }
            String kv = r.keptPerHead() != null && r.keptPerHead().length > 0 ? ", " + r.keptPerHead()[0].length + " KV heads" : "";
            chart.addAnnotation(new AnnotationText(r.label() + kv, n * 0.5, top + 0.9, false));
            if (needle == null) needle = r.needleSpan();
        }
        add(chart, "Kept by every KV head", every, EVERY_HEAD, SeriesMarkers.SQUARE);
        add(chart, "Partly kept (some heads, or part of the cell)", some, SOME_HEADS, SeriesMarkers.SQUARE);
        add(chart, "Observation window starts", window, WINDOW, SeriesMarkers.DIAMOND);
        if (needle != null) {
            double lo = -(double) bands * bandRows, hi = 1;
            XYSeries sr = chart.addSeries("Needle", new double[] {needle[0], needle[0], needle[1], needle[1]},
                    new double[] {lo, hi, hi, lo});
            sr.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            sr.setLineColor(NEEDLE);
            sr.setLineStyle(new BasicStroke(2f));
            sr.setMarker(SeriesMarkers.NONE);
        }
        return chart;
    }

    private static void add(XYChart chart, String name, List<double[]> points, Color color,
                            org.knowm.xchart.style.markers.Marker marker) {
        if (points.isEmpty()) return;
        double[] x = points.stream().mapToDouble(p -> p[0]).toArray();
        double[] y = points.stream().mapToDouble(p -> p[1]).toArray();
        XYSeries s = chart.addSeries(name, x, y);
        s.setMarkerColor(color);
        s.setMarker(marker);
    }

    /**
     * The actual prompt length: the end of the last kept range (every policy keeps the last token),
     * else the row's length (a synthetic row reports its nominal length, within 2% of the actual).
     */
    static int promptLength(SweepRow r) {
        int last = 0;
        for (int[][] layer : r.keptRanges()) {
            for (int[] head : layer) if (head.length > 0) last = Math.max(last, head[head.length - 1]);
        }
        return last > 0 ? last : r.length();
    }

    /**
     * {@code [layer][column]}: the share of (KV head, position) pairs of the column's {@code bin}
     * positions that the layer keeps.
     */
    static double[][] shares(int[][][] ranges, int n, int bin) {
        int columns = Math.ceilDiv(n, bin);
        double[][] out = new double[ranges.length][columns];
        for (int l = 0; l < ranges.length; l++) {
            int heads = ranges[l].length;
            for (int[] head : ranges[l]) {
                for (int i = 0; i + 1 < head.length; i += 2) {
                    for (int pos = head[i]; pos < Math.min(head[i + 1], n); pos++) out[l][pos / bin] += 1;
                }
            }
            for (int c = 0; c < columns; c++) {
                int width = Math.min(n, (c + 1) * bin) - c * bin;
                out[l][c] /= (double) heads * width;
            }
        }
        return out;
    }

    /** The longest suffix of the prompt every layer and head keeps (0 when some head keeps none of it). */
    static int windowLength(int[][][] ranges, int n) {
        int w = n;
        for (int[][] layer : ranges) {
            for (int[] head : layer) {
                if (head.length < 2 || head[head.length - 1] != n) return 0;
                w = Math.min(w, n - head[head.length - 2]);
            }
        }
        return w;
    }
}
