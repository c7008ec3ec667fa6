package dev.windowkv.plots;

import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

import java.util.ArrayList;
import java.util.List;

/** An XY chart that remembers its {@link Note}s, so tests and the SVG description can read them. */
public final class NotedXYChart extends XYChart implements Noted {

    private final List<Note> notes = new ArrayList<>();

    NotedXYChart(XYChartBuilder builder) {
        super(builder);
    }

    void addNote(Note note) {
        notes.add(note);
        addAnnotation(note.annotation());
    }

    @Override
    public List<String> noteTexts() {
        return notes.stream().map(Note::text).toList();
    }

    List<Note> notes() {
        return List.copyOf(notes);
    }
}
