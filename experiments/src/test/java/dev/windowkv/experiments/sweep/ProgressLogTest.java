package dev.windowkv.experiments.sweep;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --no-progress: a cluster job's log gets a line every N rows, with the rows done, the rate and the time left. */
class ProgressLogTest {
    static List<String> lines(long total, long done, int every, int steps) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
             ProgressLog log = new ProgressLog("demo", total, done, ProgressLog.Mode.lines(every), out)) {
            for (int i = 0; i < steps; i++) log.step();
        }
        return buf.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void aLineAtTheStartEveryNRowsAndAtTheEnd() {
        List<String> l = lines(25, 0, 10, 25);
        assertEquals(4, l.size(), l.toString()); // start, 10, 20, 25
        assertTrue(l.get(0).startsWith("sweep demo: 0/25 rows (0.0%)") && l.get(0).contains("ETA unknown"), l.get(0));
        assertTrue(l.get(1).startsWith("sweep demo: 10/25 rows (40.0%)") && l.get(1).contains("rows/s, ETA "), l.get(1));
        assertTrue(l.get(3).startsWith("sweep demo: 25/25 rows (100.0%)") && l.get(3).endsWith("done"), l.get(3));
    }

    @Test
    void aResumedSweepCountsFromWhatWasDoneAndRatesOnlyTheNewRows() {
        List<String> l = lines(1000, 900, 50, 100);
        assertTrue(l.get(0).startsWith("sweep demo: 900/1000 rows (90.0%)"), l.get(0));
        assertTrue(l.get(1).startsWith("sweep demo: 950/1000 rows"), l.get(1));
        assertEquals(3, l.size(), l.toString());
    }

    @Test
    void zeroMeansSilentAndDurationsReadAsAPersonWouldWriteThem() {
        assertEquals(List.of(), lines(10, 0, 0, 10));
        assertEquals("42s", ProgressLog.duration(42));
        assertEquals("8m40s", ProgressLog.duration(520));
        assertEquals("2h05m", ProgressLog.duration(7500));
    }

    @Test
    void aNegativeLogIntervalIsOneLineAndNothingRuns() {
        dev.windowkv.experiments.cli.Cli.Outcome o = dev.windowkv.experiments.cli.Cli.run("sweep", "--no-progress", "--log-every", "-1",
                "--out", System.getProperty("java.io.tmpdir") + "/never-log-every");
        assertEquals(2, o.exit(), o.err());
        assertEquals("windowkv: --log-every must be ≥ 0 (0: no log lines), got -1", o.errLines());
    }
}
