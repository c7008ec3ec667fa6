package dev.windowkv.plots;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

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

    /** Inserts {@code <title>} and {@code <desc>} as the first children of the root {@code <svg>}. */
    static String withTitleAndDesc(String svg, Chart<?, ?> chart) {
        int root = svg.indexOf("<svg");
        int end = root < 0 ? -1 : svg.indexOf('>', root);
        if (end < 0) {
            return svg;
        }
        StringBuilder desc = new StringBuilder();
        appendPart(desc, "x axis", chart.getXAxisTitle());
        appendPart(desc, "y axis", chart.getYAxisTitle());
        appendPart(desc, "legend", String.join("; ", chart.getSeriesMap().keySet()));
        if (chart instanceof CategoryChart bars && !bars.getSeriesMap().isEmpty()) {
            List<String> categories = bars.getSeriesMap().values().iterator().next().getXData().stream()
                    .map(String::valueOf).toList();
            appendPart(desc, "categories", String.join("; ", categories));
        }
        String meta = "\n  <title>" + xml(chart.getTitle()) + "</title>\n  <desc>" + xml(desc.toString()) + "</desc>";
        return svg.substring(0, end + 1) + meta + svg.substring(end + 1);
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
