package dev.windowkv.plots;

import org.knowm.xchart.internal.chartpart.Chart;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.font.TextLayout;
import java.awt.geom.AffineTransform;
import java.awt.geom.Rectangle2D;
import java.util.List;

/**
 * Charts side by side in one image under one title: XChart draws one chart per image, and two
 * quantities of different scales (prefill and decode tokens/s) read best each on its own axis.
 * Each panel must have been built {@code width / panels} wide and {@code height - TITLE_HEIGHT} high.
 */
public record PanelFigure(String title, List<? extends Chart<?, ?>> panels, int width, int height) {

    /** Height of the figure title band above the panels. */
    static final int TITLE_HEIGHT = 40;

    public PanelFigure {
        panels = List.copyOf(panels);
    }

    static int panelWidth(int width, int panels) {
        return width / panels;
    }

    static int panelHeight(int height) {
        return height - TITLE_HEIGHT;
    }

    public void paint(Graphics2D g) {
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        Shape text = new TextLayout(title, FigureStyle.TITLE, g.getFontRenderContext()).getOutline(null);
        Rectangle2D b = text.getBounds2D();
        AffineTransform orig = g.getTransform();
        g.translate((width - b.getWidth()) / 2 - b.getX(), TITLE_HEIGHT - 8);
        g.setColor(FigureStyle.INK);
        g.fill(text);
        g.setTransform(orig);
        int w = panelWidth(width, panels.size());
        for (int i = 0; i < panels.size(); i++) {
            Graphics2D panel = (Graphics2D) g.create(i * w, TITLE_HEIGHT, w, panelHeight(height));
            panels.get(i).paint(panel, w, panelHeight(height));
            panel.dispose();
        }
    }
}
