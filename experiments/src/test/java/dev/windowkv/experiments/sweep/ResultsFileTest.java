package dev.windowkv.experiments.sweep;

import dev.windowkv.engine.UserError;
import dev.windowkv.plots.SweepRow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResultsFileTest {
    @TempDir
    Path dir;

    static final Cell CELL = Cell.of("default", "niah_single", 256, 0.5, 0, 1);

    /** A row as the runner writes it: its length is the prompt's actual token count, here 257 (BOS + 256). */
    static SweepRow row(Cell cell, String label, Integer budget) {
        return new SweepRow(cell.model(), "vector", label.toLowerCase(), label, budget == null ? Map.of() : Map.of("budget", "" + budget),
                budget, cell.task(), "QA", cell.length() + 1, cell.depth(), cell.seed(), cell.sample(), 1.0,
                new int[]{64, 64}, 100, 400, 0.25, 1.5, 0.5, 2.5, 4, " 1234567", List.of("1234567"), id(cell, label, budget), "f32", null, null, null, null);
    }

    /** Stands for the plan's identity hash: any string unique per row. */
    static String id(Cell cell, String label, Integer budget) {
        return cell.seed() + "|" + label + "|" + budget;
    }

    @Test
    void halfWrittenLastLineIsCutOffAndEarlierRowsAreKept() throws Exception {
        Path p = dir.resolve("results.jsonl");
        try (ResultsFile f = ResultsFile.open(p)) {
            f.append(row(CELL, "FullKV", null));
            f.append(row(CELL, "StreamingLLM", 64));
        }
        long whole = Files.size(p);
        // What a kill in the middle of a write leaves: the start of a third row, no newline.
        Files.writeString(p, "{\"model\":\"default\",\"backend\":\"vec", StandardOpenOption.APPEND);

        try (ResultsFile f = ResultsFile.open(p)) {
            assertEquals(whole, Files.size(p), "the partial line is cut, the two whole rows stay byte for byte");
            assertEquals(2, f.rows().size());
            assertTrue(f.has(id(CELL, "FullKV", null)));
            assertTrue(f.has(id(CELL, "StreamingLLM", 64)));
            assertFalse(f.has(id(CELL, "WindowKV", 64)), "the row that was in flight runs again");
            f.append(row(CELL, "WindowKV", 64));
        }
        assertEquals(3, ResultsFile.read(p).size(), "a row appended after the repair starts on its own line");
    }

    @Test
    void aRowIsFoundAgainByItsIdentityAndARowWithoutOneIsNeverReused() throws Exception {
        Path p = dir.resolve("results.jsonl");
        try (ResultsFile f = ResultsFile.open(p)) {
            f.append(row(CELL, "FullKV", null));
        }
        // A row from before rows carried an identity: kept, but no plan can ask for it.
        String legacy = ResultsFile.JSON.writeValueAsString(row(CELL, "SnapKV", 64)).replaceFirst(",\"id\":\"[^\"]*\"", "");
        Files.writeString(p, legacy + "\n", StandardOpenOption.APPEND);
        try (ResultsFile f = ResultsFile.open(p)) {
            assertTrue(f.has(id(CELL, "FullKV", null)));
            assertEquals(id(CELL, "FullKV", null), ResultsFile.key(f.rows().getFirst()));
            assertFalse(f.has(id(CELL, "SnapKV", 64)), "a row without identity is not taken for any planned row");
            assertEquals(2, f.rows().size(), "but it is kept");
        }
    }

    @Test
    void aSecondWriterOfTheSameResultsFileIsRefusedWhileTheFirstHoldsIt() {
        Path p = dir.resolve("results.jsonl");
        try (ResultsFile first = ResultsFile.open(p)) {
            first.append(row(CELL, "FullKV", null));
            ResultsInUseError e = assertThrows(ResultsInUseError.class, () -> ResultsFile.open(p));
            assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("another sweep"), e.getMessage());
        }
        try (ResultsFile again = ResultsFile.open(p)) {
            assertEquals(1, again.rows().size(), "once the first writer closes, the file opens again");
        }
    }

    @Test
    void aCorruptWholeLineIsAnErrorNamingItsLineNotSilentlyDropped() throws Exception {
        Path p = dir.resolve("results.jsonl");
        try (ResultsFile f = ResultsFile.open(p)) {
            f.append(row(CELL, "FullKV", null));
        }
        Files.writeString(p, "not json\n", StandardOpenOption.APPEND);
        UserError e = assertThrows(UserError.class, () -> ResultsFile.open(p));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        assertEquals(2, Files.readAllLines(p).size(), "nothing is cut from a file that is corrupt, not half-written");
    }

    @Test
    void readingAMissingOrCorruptFileIsAUserErrorNamingTheFile() throws Exception {
        Path missing = dir.resolve("nope.jsonl");
        UserError e = assertThrows(UserError.class, () -> ResultsFile.read(missing));
        assertTrue(e.getMessage().contains("not found") && e.getMessage().contains("nope.jsonl"), e.getMessage());

        Path corrupt = dir.resolve("corrupt.jsonl");
        Files.writeString(corrupt, "{\"model\":\"default\"}\n{\"model\":", StandardCharsets.UTF_8);
        e = assertThrows(UserError.class, () -> ResultsFile.read(corrupt));
        assertTrue(e.getMessage().contains("corrupt.jsonl line 2"), e.getMessage());
    }
}
