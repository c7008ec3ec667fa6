package dev.windowkv.experiments.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Result rows as JSON trees without their timings and their measured peak RSS, which are the only fields allowed to
 * differ between runs.
 */
public final class Rows {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> TIMINGS = List.of("prefillMs", "compressMs", "decodeMs", "peakRssBytes");

    private Rows() {}

    /** Every line of a results file, in order, with the timing fields removed. */
    public static List<JsonNode> withoutTimings(Path results) {
        try {
            List<JsonNode> rows = new ArrayList<>();
            for (String line : Files.readAllLines(results)) {
                ObjectNode row = (ObjectNode) JSON.readTree(line);
                for (String t : TIMINGS) {
                    if (row.remove(t) == null) throw new AssertionError("row lacks measured field " + t + ": " + line);
                }
                rows.add(row);
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static int count(Path results) {
        try {
            return Files.exists(results) ? (int) Files.readAllLines(results).stream().filter(l -> l.endsWith("}")).count() : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
