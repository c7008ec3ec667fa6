package dev.windowkv.plots;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;

/**
 * An XY chart that remembers the text it shows besides the data ({@link Note}s over the plot, and
 * notes in the legend), so tests and the SVG description can read it.
 */
public final class NotedXYChart extends XYChart implements Noted {

    private final List<String> texts = new ArrayList<>();

    NotedXYChart(XYChartBuilder builder) {
        super(builder);
    }

    void addNote(Note note) {
        texts.add(note.text());
        addAnnotation(note.annotation());
    }

    /**
     * A line of text at the end of the legend, for what concerns the whole plot but must not cover
     * its data: a series with neither line nor marker, and one point below the y axis.
     */
    void addLegendNote(String text, double x, double belowAxis) {
        texts.add(text);
        XYSeries s = addSeries(text, new double[]{x}, new double[]{belowAxis});
        s.setMarker(SeriesMarkers.NONE);
        s.setLineStyle(SeriesLines.NONE);
        s.setLineColor(new Color(0, 0, 0, 0));
        s.setShowInLegend(true);
    }

    @Override
    public List<String> noteTexts() {
        return List.copyOf(texts);
    }
}
