package dev.windowkv.plots;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import de.erichseifert.vectorgraphics2d.svg.SVGProcessor;
import de.erichseifert.vectorgraphics2d.util.PageSize;

import javax.imageio.ImageIO;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a chart as PNG (at the chart's pixel size, for slides and READMEs) and SVG (vector, for the
 * paper). SVG goes through XChart's VectorGraphicsEncoder, backed by VectorGraphics2D, which xchart
 * 3.8.8 already brings in as a compile dependency.
 *
 * <p>XChart draws all text as outlines, so the SVG alone holds no searchable words; each SVG gets a
 * {@code <title>} (the chart title) and a {@code <desc>} (axes, legend entries, bar categories), the standard
 * accessible name and description, so screen readers, search and tests can read what it shows.
 */
public final class ChartFiles {

    private ChartFiles() {
    }

    public static Path writePng(Chart<?, ?> chart, Path file) {
        try (OutputStream out = open(file)) {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }

    public static Path writePng(PanelFigure figure, Path file) {
        BufferedImage image = new BufferedImage(figure.width(), figure.height(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        figure.paint(g);
        g.dispose();
        try (OutputStream out = open(file)) {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }

    /** As XChart's VectorGraphicsEncoder does for one chart: record the drawing, then write it as SVG. */
    public static Path writeSvg(PanelFigure figure, Path file) {
        VectorGraphics2D g = new VectorGraphics2D();
        figure.paint(g);
        ByteArrayOutputStream svg = new ByteArrayOutputStream();
        try (OutputStream out = open(file)) {
            new SVGProcessor().getDocument(g.getCommands(), new PageSize(0, 0, figure.width(), figure.height()))
                    .writeTo(svg);
            StringBuilder desc = new StringBuilder();
            for (Chart<?, ?> panel : figure.panels()) {
                desc.append(desc.isEmpty() ? "" : " | ").append("panel ").append(panel.getTitle()).append(": ")
                        .append(describe(panel));
            }
            out.write(withTitleAndDesc(svg.toString(StandardCharsets.UTF_8), figure.title(), desc.toString())
                    .getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }

    /** Writes {@code dir/stem.png} and {@code dir/stem.svg}; returns both paths. */
    public static List<Path> writeFigure(PanelFigure figure, Path dir, String stem) {
        return List.of(writePng(figure, dir.resolve(stem + ".png")), writeSvg(figure, dir.resolve(stem + ".svg")));
    }

    public static Path writeSvg(Chart<?, ?> chart, Path file) {
        ByteArrayOutputStream svg = new ByteArrayOutputStream();
        try (OutputStream out = open(file)) {
            VectorGraphicsEncoder.saveVectorGraphic(chart, svg, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
            out.write(withTitleAndDesc(svg.toString(StandardCharsets.UTF_8), chart).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }

    static String withTitleAndDesc(String svg, Chart<?, ?> chart) {
        return withTitleAndDesc(svg, chart.getTitle(), describe(chart));
    }

    /** Inserts {@code <title>} and {@code <desc>} as the first children of the root {@code <svg>}. */
    static String withTitleAndDesc(String svg, String title, String desc) {
        int root = svg.indexOf("<svg");
        int end = root < 0 ? -1 : svg.indexOf('>', root);
        if (end < 0) {
            return svg;
        }
        String meta = "\n  <title>" + xml(title) + "</title>\n  <desc>" + xml(desc) + "</desc>";
        return svg.substring(0, end + 1) + meta + svg.substring(end + 1);
    }

    /** Axes, legend entries, bar categories and the text drawn over the plot, for the SVG's {@code <desc>}. */
    static String describe(Chart<?, ?> chart) {
        StringBuilder desc = new StringBuilder();
        appendPart(desc, "x axis", chart.getXAxisTitle());
        appendPart(desc, "y axis", chart.getYAxisTitle());
        appendPart(desc, "legend", String.join("; ", chart.getSeriesMap().keySet()));
        if (chart instanceof CategoryChart bars && !bars.getSeriesMap().isEmpty()) {
            List<String> categories = bars.getSeriesMap().values().iterator().next().getXData().stream()
                    .map(String::valueOf).toList();
            appendPart(desc, "categories", String.join("; ", categories));
        }
        if (chart instanceof Noted noted) {
            appendPart(desc, "notes", String.join("; ", noted.noteTexts()));
        }
        return desc.toString().replace('\n', ' ');
    }

    private static void appendPart(StringBuilder sb, String name, String value) {
        if (value != null && !value.isBlank()) {
            sb.append(sb.isEmpty() ? "" : ". ").append(name).append(": ").append(value);
        }
    }

    private static String xml(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** Writes {@code dir/stem.png} and {@code dir/stem.svg}; returns both paths. */
    public static List<Path> writeFigure(Chart<?, ?> chart, Path dir, String stem) {
        return List.of(writePng(chart, dir.resolve(stem + ".png")), writeSvg(chart, dir.resolve(stem + ".svg")));
    }

    private static OutputStream open(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        return Files.newOutputStream(file);
    }
}
