package dev.windowkv.plots;

import org.knowm.xchart.internal.chartpart.Annotation;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.font.FontRenderContext;
import java.awt.font.TextLayout;
import java.awt.geom.AffineTransform;
import java.awt.geom.Rectangle2D;

/**
 * Text placed at a point of the data (axis units), shifted by a few pixels, so a label sits beside
 * its marker whatever the figure's size. XChart's own AnnotationText centres on the point and takes
 * one line; a note can be left-aligned and span several lines.
 *
 * @param text  the text; {@code \n} separates lines
 * @param x     x in axis units
 * @param y     y in axis units
 * @param dx    pixels right of the point where the text is aligned
 * @param dy    pixels below the point of the first line's baseline
 * @param align which end of each line sits at {@code dx}
 */
record Note(String text, double x, double y, int dx, int dy, Align align, Font font, Color color) {

    enum Align { LEFT, CENTER, RIGHT }

    /** Draws the note; XChart paints annotations after the plot, the legend and the title. */
    Annotation annotation() {
        return new Annotation(false) {
            @Override
            public void paint(Graphics2D g) {
                double sx = getXAxisScreenValue(x) + dx;
                double sy = getYAxisScreenValue(y) + dy;
                bounds = new Rectangle2D.Double(sx, sy, 0, 0);
                Object aa = g.getRenderingHint(RenderingHints.KEY_ANTIALIASING);
                g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
                g.setColor(color);
                FontRenderContext frc = g.getFontRenderContext();
                double lineHeight = font.getSize2D() * 1.3;
                String[] lines = text.split("\n");
                for (int i = 0; i < lines.length; i++) {
                    if (lines[i].isEmpty()) {
                        continue;
                    }
                    Shape shape = new TextLayout(lines[i], font, frc).getOutline(null);
                    double w = shape.getBounds2D().getWidth();
                    double left = switch (align) {
                        case LEFT -> sx;
                        case CENTER -> sx - w / 2;
                        case RIGHT -> sx - w;
                    };
                    AffineTransform orig = g.getTransform();
                    g.translate(left, sy + i * lineHeight);
                    g.fill(shape);
                    g.setTransform(orig);
                }
                g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, aa);
            }
        };
    }
}
