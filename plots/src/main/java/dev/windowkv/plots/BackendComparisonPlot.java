package dev.windowkv.plots;

import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.CategoryStyler;

import java.awt.Color;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Prefill and decode throughput of each backend from one bench report: two panels side by side,
 * each with its own axis from zero, one bar per backend with its value printed on it. Decode is
 * often two orders of magnitude below prefill, so on a shared axis its bars would be slivers; and
 * two axes on one panel read as one comparison when they are two.
 */
public final class BackendComparisonPlot {

    static final Color PREFILL = new Color(0x0072B2);
    static final Color DECODE = new Color(0xE69F00);

    private BackendComparisonPlot() {
    }

    /** The two-panel figure: prefill left, decode right. */
    public static PanelFigure figure(BenchReport report, int width, int height) {
        StringBuilder title = new StringBuilder("Backend throughput");
        if (report.model() != null && !report.model().isBlank()) {
            title.append(ScoreVsMemoryPlot.TITLE_SEPARATOR).append(report.model());
        }
        if (report.promptTokens() > 0) {
            title.append(ScoreVsMemoryPlot.TITLE_SEPARATOR).append(report.promptTokens()).append("-token prompt");
        }
        int w = PanelFigure.panelWidth(width, 2);
        int h = PanelFigure.panelHeight(height);
        return new PanelFigure(title.toString(), List.of(
                panel(report, "Prefill", "Prefill (prompt tokens / s)", PREFILL, BackendResult::prefillTokPerSec, w, h),
                panel(report, "Decode", "Decode (generated tokens / s)", DECODE, BackendResult::decodeTokPerSec, w, h)),
                width, height);
    }

    static CategoryChart panel(BenchReport report, String name, String yTitle, Color color,
                               ToDoubleFunction<BackendResult> value, int width, int height) {
        List<BackendResult> results = report.results();
        CategoryChart chart = new CategoryChartBuilder().width(width).height(height)
                .title(name).xAxisTitle("Backend (device)").yAxisTitle(yTitle).build();
        CategoryStyler s = chart.getStyler();
        FigureStyle.apply(s);
        s.setLegendVisible(false); // one series per panel: the panel title names it
        s.setPlotGridVerticalLinesVisible(false);
        s.setAvailableSpaceFill(0.6);
        s.setLabelsVisible(true);
        s.setLabelsFont(FigureStyle.LABELS);
        s.setLabelsFontColor(FigureStyle.INK);
        s.setLabelsPosition(0.9);
        s.setLabelsFontColorAutomaticEnabled(true);
        s.setLabelsFontColorAutomaticLight(Color.WHITE);
        s.setLabelsFontColorAutomaticDark(FigureStyle.INK);
        s.setDecimalPattern("#,##0");
        s.setYAxisDecimalPattern("#,##0");
        s.setYAxisMin(0.0);
        // labels side by side need about 9 px per character at the tick font; tilt them when they would touch
        int chars = results.stream().mapToInt(r -> r.label().length() + 2).sum();
        s.setXAxisLabelRotation(chars * 9 > 0.75 * width ? 20 : 0);
        CategorySeries series = chart.addSeries(name, results.stream().map(BackendResult::label).toList(),
                results.stream().map(r -> (Number) value.applyAsDouble(r)).toList());
        series.setFillColor(color);
        return chart;
    }
}
