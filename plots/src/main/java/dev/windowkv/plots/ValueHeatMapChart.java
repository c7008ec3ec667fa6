package dev.windowkv.plots;

import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.HeatMapSeries;
import org.knowm.xchart.internal.Utils;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.font.TextLayout;
import java.awt.geom.AffineTransform;
import java.awt.geom.Rectangle2D;
import java.math.RoundingMode;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A heat map that prints each cell's value and titles its colour bar. XChart prints cell values in
 * one colour, which no colour reads on both ends of viridis, and draws the colour bar without a
 * title; this chart draws both itself, after XChart has painted the rest, each value in white or ink
 * by the cell colour's luminance.
 */
public final class ValueHeatMapChart extends HeatMapChart implements Noted {

    /** A cell's printed value and the colour it is printed in. */
    public record CellLabel(int x, int y, String text, Color color) {
    }

    /** Below this relative luminance a cell is dark and its value is printed in white. */
    static final double DARK_LUMINANCE = 0.3;

    private final String colourBarTitle;
    private final String valuePattern;

    ValueHeatMapChart(HeatMapChartBuilder builder, String colourBarTitle, String valuePattern) {
        super(builder);
        this.colourBarTitle = colourBarTitle;
        this.valuePattern = valuePattern;
    }

    public String colourBarTitle() {
        return colourBarTitle;
    }

    /** What each cell shows, in the order of the series' data. */
    public List<CellLabel> cellLabels() {
        HeatMapSeries series = getHeatMapSeries();
        DecimalFormat format = new DecimalFormat(valuePattern, DecimalFormatSymbols.getInstance(Locale.ROOT));
        format.setRoundingMode(RoundingMode.HALF_UP); // as a reader rounds: 0.125 -> 0.13
        List<CellLabel> labels = new ArrayList<>();
        for (Number[] cell : series.getHeatData()) {
            double v = cell[2].doubleValue();
            Color fill = colourOf(v, getStyler().getMin(), getStyler().getMax(), getStyler().getRangeColors());
            labels.add(new CellLabel(cell[0].intValue(), cell[1].intValue(), format.format(v),
                    luminance(fill) < DARK_LUMINANCE ? Color.WHITE : FigureStyle.INK));
        }
        return labels;
    }

    @Override
    public List<String> noteTexts() {
        List<String> texts = new ArrayList<>();
        texts.add("colour bar: " + colourBarTitle);
        cellLabels().forEach(c -> texts.add(c.text()));
        return texts;
    }

    @Override
    public void paint(Graphics2D g, int width, int height) {
        super.paint(g, width, height);
        Object aa = g.getRenderingHint(RenderingHints.KEY_ANTIALIASING);
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        // the cell geometry of XChart 3.8.8's PlotContent_HeatMap
        Rectangle2D plotBounds = plot.getBounds();
        HeatMapSeries series = getHeatMapSeries();
        int nx = series.getXData().size();
        int ny = series.getYData().size();
        double xMargin = Utils.getTickStartOffset((int) plotBounds.getWidth(),
                getStyler().getPlotContentSize() * plotBounds.getWidth());
        double yMargin = Utils.getTickStartOffset((int) plotBounds.getHeight(),
                getStyler().getPlotContentSize() * plotBounds.getHeight());
        double cellW = (plotBounds.getWidth() - 2 * xMargin) / nx;
        double cellH = (plotBounds.getHeight() - 2 * yMargin) / ny;
        for (CellLabel c : cellLabels()) {
            double cx = plotBounds.getX() + xMargin + cellW * (c.x() + 0.5);
            double cy = plotBounds.getY() + yMargin + cellH * (ny - 1 - c.y() + 0.5);
            drawCentred(g, c.text(), FigureStyle.CELL_VALUES, c.color(), cx, cy);
        }
        Rectangle2D bar = legend.getBounds();
        if (bar != null && colourBarTitle != null) {
            // where XChart 3.8.8's Legend_HeatMap puts a vertical legend right of the plot
            double x = width - bar.getWidth() - 6;
            double y = plotBounds.getY() + (plotBounds.getHeight() - bar.getHeight()) / 2;
            drawCentred(g, colourBarTitle, FigureStyle.LEGEND, FigureStyle.INK,
                    Math.min(x + bar.getWidth() / 2, width - 60), y - FigureStyle.LEGEND.getSize());
        }
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, aa);
    }

    private static void drawCentred(Graphics2D g, String text, Font font, Color color, double cx, double cy) {
        Shape shape = new TextLayout(text, font, g.getFontRenderContext()).getOutline(null);
        Rectangle2D b = shape.getBounds2D();
        AffineTransform orig = g.getTransform();
        g.translate(cx - b.getWidth() / 2 - b.getX(), cy - b.getHeight() / 2 - b.getY());
        g.setColor(color);
        g.fill(shape);
        g.setTransform(orig);
    }

    /** XChart's gradient: linear between evenly spaced stops, clamped at the ends. */
    static Color colourOf(double value, double min, double max, Color[] stops) {
        double t = max > min ? Math.max(0, Math.min(1, (value - min) / (max - min))) : 0;
        double pos = t * (stops.length - 1);
        int i = Math.min((int) pos, stops.length - 2);
        double f = pos - i;
        Color a = stops[i];
        Color b = stops[i + 1];
        return new Color((int) (a.getRed() + f * (b.getRed() - a.getRed())),
                (int) (a.getGreen() + f * (b.getGreen() - a.getGreen())),
                (int) (a.getBlue() + f * (b.getBlue() - a.getBlue())));
    }

    /** WCAG relative luminance in [0, 1]. */
    static double luminance(Color c) {
        return 0.2126 * linear(c.getRed()) + 0.7152 * linear(c.getGreen()) + 0.0722 * linear(c.getBlue());
    }

    private static double linear(int channel) {
        double s = channel / 255.0;
        return s <= 0.04045 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
    }
}
