package dev.windowkv.plots;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the files the experiments module writes: sweep rows (JSON Lines) and bench reports (JSON).
 * Every failure is a {@link PlotInputException} naming the file, and the line for JSON Lines.
 */
public final class ResultsReader {

    /** Unknown keys are ignored so that older plots still read newer sweeps. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private ResultsReader() {
    }

    /** All rows of a sweep file; blank lines are skipped, anything else must be a {@link SweepRow}. */
    public static List<SweepRow> readSweep(Path file) {
        List<SweepRow> rows = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                rows.add(parseRow(file, lineNo, line));
            }
        } catch (NoSuchFileException e) {
            throw new PlotInputException(file + ": no such results file; run the sweep first or pass the right path");
        } catch (IOException e) {
            throw new PlotInputException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        if (rows.isEmpty()) {
            throw new PlotInputException(file + ": results file is empty; run the sweep first or pass the right path");
        }
        return rows;
    }

    /** A backend comparison report. */
    public static BenchReport readBench(Path file) {
        BenchReport report;
        try {
            report = JSON.readValue(Files.readString(file, StandardCharsets.UTF_8), BenchReport.class);
        } catch (NoSuchFileException e) {
            throw new PlotInputException(file + ": no such bench file; run the backend benchmark first or pass the right path");
        } catch (JsonProcessingException e) {
            throw new PlotInputException(file + ": line " + lineOf(e) + ": not a bench report (" + firstLine(e) + ")", e);
        } catch (IOException e) {
            throw new PlotInputException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        if (report == null || report.results() == null || report.results().isEmpty()) {
            throw new PlotInputException(file + ": bench report lists no backend results; re-run the backend benchmark");
        }
        return report;
    }

    private static SweepRow parseRow(Path file, int lineNo, String line) {
        SweepRow row;
        try {
            row = JSON.readValue(line, SweepRow.class);
        } catch (JsonProcessingException e) {
            throw new PlotInputException(file + ": line " + lineNo + ": not a sweep row (" + firstLine(e)
                    + "); fix or delete that line");
        }
        if (row == null) {
            throw new PlotInputException(file + ": line " + lineNo + ": not a sweep row (null); fix or delete that line");
        }
        requireText(file, lineNo, "policy", row.policy());
        requireText(file, lineNo, "taskType", row.taskType());
        return row;
    }

    private static void requireText(Path file, int lineNo, String field, String value) {
        if (value == null || value.isBlank()) {
            throw new PlotInputException(file + ": line " + lineNo + ": missing field '" + field
                    + "'; fix or delete that line");
        }
    }

    private static String firstLine(JsonProcessingException e) {
        String m = e.getOriginalMessage();
        if (m == null) {
            return e.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    private static int lineOf(JsonProcessingException e) {
        return e.getLocation() == null ? 0 : e.getLocation().getLineNr();
    }
}
