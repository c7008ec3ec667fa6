package dev.windowkv.plots;

import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.CategoryStyler;
import org.knowm.xchart.style.Styler;

import java.awt.Color;
import java.util.List;

/**
 * Prefill and decode throughput of each backend from one bench report, as grouped bars with the
 * value printed on each bar; prefill is read on the left axis, decode on the right one.
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
            title.append(ScoreVsMemoryPlot.TITLE_SEPARATOR).append(report.model());
        }
        if (report.promptTokens() > 0) {
            title.append(ScoreVsMemoryPlot.TITLE_SEPARATOR).append(report.promptTokens()).append("-token prompt");
        }
        CategoryChart chart = new CategoryChartBuilder().width(width).height(height)
                .title(title.toString()).xAxisTitle("Backend (device)").build();
        CategoryStyler s = chart.getStyler();
        FigureStyle.apply(s);
        s.setPlotGridVerticalLinesVisible(false);
        s.setAvailableSpaceFill(0.7);
        s.setLabelsVisible(true);
        s.setLabelsFont(FigureStyle.LABELS);
        s.setLabelsFontColor(FigureStyle.INK);
        s.setLabelsPosition(0.9);
        s.setLabelsFontColorAutomaticEnabled(true);
        s.setLabelsFontColorAutomaticLight(Color.WHITE);
        s.setLabelsFontColorAutomaticDark(FigureStyle.INK);
        s.setDecimalPattern("#,##0");
        s.setYAxisDecimalPattern("#,##0");
        s.setLegendPosition(Styler.LegendPosition.OutsideS);
        s.setLegendLayout(Styler.LegendLayout.Horizontal);
        List<String> labels = results.stream().map(BackendResult::label).toList();
        CategorySeries prefill = chart.addSeries("Prefill", labels,
                results.stream().map(BackendResult::prefillTokPerSec).toList());
        prefill.setFillColor(PREFILL);
        CategorySeries decode = chart.addSeries("Decode", labels,
                results.stream().map(BackendResult::decodeTokPerSec).toList());
        decode.setFillColor(DECODE);
        // Decode is often two orders of magnitude below prefill: on one axis its bars would be
        // slivers, and XChart 3.8.8 draws no bars on a log axis. Decode gets its own axis, right.
        decode.setYAxisGroup(1);
        chart.setYAxisGroupTitle(0, "Prefill (tokens / s)");
        chart.setYAxisGroupTitle(1, "Decode (tokens / s)");
        s.setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
        s.setYAxisGroupTitleColor(0, PREFILL);
        s.setYAxisGroupTitleColor(1, DECODE);
        s.setYAxisMin(0, 0.0);
        s.setYAxisMin(1, 0.0);
        return chart;
    }
}
