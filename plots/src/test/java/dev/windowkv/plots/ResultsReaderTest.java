package dev.windowkv.plots;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad results files fail with one line naming the file and, for JSON Lines, the line. */
class ResultsReaderTest {

    private static final String GOOD = "{\"model\":\"m\",\"policy\":\"snapkv\",\"policyLabel\":\"SnapKV\",\"budget\":128,"
            + "\"taskType\":\"QA\",\"length\":4096,\"depth\":null,\"score\":1.0,\"tokensKeptPerLayer\":[128,128],"
            + "\"someFutureField\":true}";

    @Test
    void readsRowsSkippingBlankLinesAndUnknownKeys(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("sweep.jsonl");
        Files.writeString(f, GOOD + "\n\n" + GOOD.replace("128,\"taskType\"", "null,\"taskType\"") + "\n");
        var rows = ResultsReader.readSweep(f);
        assertEquals(2, rows.size());
        assertEquals(128, rows.get(0).budget());
        assertFalse(rows.get(0).isFull());
        assertTrue(rows.get(1).isFull());
        assertEquals(2, rows.get(0).tokensKeptPerLayer().length);
    }

    @Test
    void corruptLineIsNamedByNumber(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("sweep.jsonl");
        Files.writeString(f, GOOD + "\n" + GOOD + "\n{\"policy\": \"snapkv\", \"score\": 0.\n");
        var e = assertThrows(PlotInputException.class, () -> ResultsReader.readSweep(f));
        assertTrue(e.getMessage().startsWith(f + ": line 3: not a sweep row"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
    }

    @Test
    void missingFieldIsNamed(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("sweep.jsonl");
        Files.writeString(f, GOOD + "\n" + GOOD.replace("\"taskType\":\"QA\",", "") + "\n");
        var e = assertThrows(PlotInputException.class, () -> ResultsReader.readSweep(f));
        assertEquals(f + ": line 2: missing field 'taskType'; fix or delete that line", e.getMessage());
    }

    @Test
    void missingAndEmptyFiles(@TempDir Path tmp) throws Exception {
        Path missing = tmp.resolve("nope.jsonl");
        assertEquals(missing + ": no such results file; run the sweep first or pass the right path",
                assertThrows(PlotInputException.class, () -> Plots.drawAll(missing, tmp.resolve("out"))).getMessage());
        Path empty = Files.writeString(tmp.resolve("empty.jsonl"), "\n  \n");
        assertEquals(empty + ": results file is empty; run the sweep first or pass the right path",
                assertThrows(PlotInputException.class, () -> ResultsReader.readSweep(empty)).getMessage());
    }

    @Test
    void benchWithoutResultsIsRejected(@TempDir Path tmp) throws Exception {
        Path f = Files.writeString(tmp.resolve("bench.json"), "{\"model\":\"m\",\"results\":[]}");
        assertEquals(f + ": bench report lists no backend results; re-run the backend benchmark",
                assertThrows(PlotInputException.class, () -> ResultsReader.readBench(f)).getMessage());
    }

    /** A device backend's counters travel with its result; files written before them read with none. */
    @Test
    void benchDeviceCostsRoundTripAndOldFilesReadWithout(@TempDir Path tmp) throws Exception {
        DeviceCost cost = new DeviceCost(2048, 8, 15424, 115, 3, 12_345_678, false);
        BenchReport report = new BenchReport("m", "d", "model", 2048, java.util.List.of(
                new BackendResult("tornado", "PoCL CPU", 2, 100, 40, 30, cost),
                new BackendResult("java-vector", "CPU", 2, 1500, 700, 3)));
        Path f = tmp.resolve("bench.json");
        new com.fasterxml.jackson.databind.ObjectMapper().writeValue(f.toFile(), report);
        assertEquals(report, ResultsReader.readBench(f));
        Path old = Files.writeString(tmp.resolve("old.json"), Files.readString(f)
                .replaceAll(",\"deviceCost\":(null|\\{[^}]*\\})", ""));
        assertFalse(Files.readString(old).contains("deviceCost"));
        assertEquals(null, ResultsReader.readBench(old).results().getFirst().deviceCost());
    }
}
