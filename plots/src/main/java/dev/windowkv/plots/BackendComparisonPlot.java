package dev.windowkv.plots;

import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.CategoryStyler;

import java.awt.Color;
import java.util.List;

/**
 * Prefill and decode throughput of each backend from one bench report, as grouped bars with the
 * value printed on each bar (decode is often an order of magnitude below prefill).
 */
public final class BackendComparisonPlot {

    static final Color PREFILL = new Color(0x0072B2);
    static final Color DECODE = new Color(0xE69F00);

    private BackendComparisonPlot() {
    }

    public static CategoryChart chart(BenchReport report, int width, int height) {
        List<BackendResult> results = report.results();
        StringBuilder title = new StringBuilder("Backend throughput");
        if (report.model() != null && !report.model().isBlank()) {
            title.append(": ").append(report.model());
        }
        if (report.promptTokens() > 0) {
            title.append(", ").append(report.promptTokens()).append("-token prompt");
        }
        CategoryChart chart = new CategoryChartBuilder().width(width).height(height)
                .title(title.toString()).xAxisTitle("Backend (device)").yAxisTitle("Tokens / s").build();
        CategoryStyler s = chart.getStyler();
        FigureStyle.apply(s);
        s.setPlotGridVerticalLinesVisible(false);
        s.setAvailableSpaceFill(0.7);
        s.setLabelsVisible(true);
        s.setLabelsFont(FigureStyle.LABELS);
        s.setLabelsFontColor(FigureStyle.INK);
        s.setLabelsPosition(1.0);
        s.setLabelsFontColorAutomaticEnabled(false);
        s.setDecimalPattern("#,##0.#");
        s.setYAxisDecimalPattern("#,##0");
        s.setYAxisMin(0.0);

        List<String> labels = results.stream().map(BackendResult::label).toList();
        CategorySeries prefill = chart.addSeries("Prefill", labels,
                results.stream().map(BackendResult::prefillTokPerSec).toList());
        prefill.setFillColor(PREFILL);
        CategorySeries decode = chart.addSeries("Decode", labels,
                results.stream().map(BackendResult::decodeTokPerSec).toList());
        decode.setFillColor(DECODE);
        return chart;
    }
}
