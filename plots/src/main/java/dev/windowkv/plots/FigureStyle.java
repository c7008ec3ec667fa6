package dev.windowkv.plots;

import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;

/**
 * The house look of every figure: fonts large enough to read when the figure is shrunk to one
 * column of a paper, white background, faint grid, legend to the right of the plot in one column
 * (long policy labels do not fit in one row).
 */
final class FigureStyle {

    /** Logical font: DejaVu Sans on a headless Linux box, Arial/Helvetica elsewhere. */
    static final String FONT = Font.SANS_SERIF;
    static final Font TITLE = new Font(FONT, Font.BOLD, 20);
    static final Font AXIS_TITLE = new Font(FONT, Font.PLAIN, 18);
    static final Font TICKS = new Font(FONT, Font.PLAIN, 15);
    static final Font LEGEND = new Font(FONT, Font.PLAIN, 16);
    static final Font LABELS = new Font(FONT, Font.PLAIN, 13);
    /** Budgets beside their points, and small print inside the plot. */
    static final Font POINT_LABELS = new Font(FONT, Font.PLAIN, 12);
    /** A caveat over the plot (e.g. FullKV at chance), readable at one column's width. */
    /** The value printed in each heat-map cell. */
    static final Font CELL_VALUES = new Font(FONT, Font.BOLD, 15);
    static final Font NOTES = new Font(FONT, Font.ITALIC, 15);
    static final Color INK = new Color(0x222222);
    static final Color GRID = new Color(0xDDDDDD);
    static final Color BORDER = new Color(0x888888);
    static final int MARKER_SIZE = 11;

    private FigureStyle() {
    }

    static void apply(AxesChartStyler s) {
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setChartFontColor(INK);
        s.setChartTitleFont(TITLE);
        s.setChartTitleBoxVisible(false);
        s.setChartTitlePadding(10);
        s.setChartPadding(14);
        s.setAxisTitleFont(AXIS_TITLE);
        s.setAxisTickLabelsFont(TICKS);
        s.setAxisTickLabelsColor(INK);
        s.setAxisTitlePadding(10);
        s.setAxisTickPadding(6);
        s.setLegendFont(LEGEND);
        s.setLegendBorderColor(Color.WHITE);
        s.setLegendBackgroundColor(Color.WHITE);
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setLegendLayout(Styler.LegendLayout.Vertical);
        s.setLegendSeriesLineLength(34);
        s.setPlotBorderVisible(true);
        s.setPlotBorderColor(BORDER);
        s.setPlotGridLinesColor(GRID);
        s.setPlotGridLinesStroke(new BasicStroke(1f));
        s.setPlotMargin(6);
        s.setMarkerSize(MARKER_SIZE);
        s.setToolTipsEnabled(false);
        s.setAntiAlias(true);
    }
}
