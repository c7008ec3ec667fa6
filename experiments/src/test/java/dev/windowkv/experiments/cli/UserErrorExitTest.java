package dev.windowkv.experiments.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** User mistakes reach the terminal as one line, "windowkv: ...", with exit code 2 and no stack trace. */
class UserErrorExitTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void home() {
        Cli.useCheckoutAsHome();
    }

    static void assertOneLineError(Cli.Outcome o, String... mentions) {
        assertEquals(2, o.exit(), o.err());
        String err = o.errLines();
        assertEquals(1, err.lines().count(), "one line: " + err);
        assertTrue(err.startsWith("windowkv: "), err);
        assertFalse(err.contains("Exception") || err.contains("\tat "), "no stack trace: " + err);
        for (String m : mentions) assertTrue(err.contains(m), "'" + err + "' should mention '" + m + "'");
    }

    @Test
    void sweepConfigErrorsNameTheKey() throws Exception {
        assertOneLineError(Cli.run("sweep", "--set", "sampels=3"), "unknown key 'sampels'");
        assertOneLineError(Cli.run("sweep", "--set", "tasks=[\"nope\"]"), "unknown task 'nope'");
        assertOneLineError(Cli.run("sweep", "--set", "policies=[{\"policy\":\"quest\",\"budgets\":[64]}]"), "unknown policy 'quest'");
        assertOneLineError(Cli.run("sweep", "--set", "lengths=[256]"), "budget 256 is not smaller than the shortest prompt");
        assertOneLineError(Cli.run("sweep", "--set", "policies=[{\"policy\":\"h2o\",\"budgets\":[0]}]"), "budget 0 must be ≥ 1");
        assertOneLineError(Cli.run("sweep", "--set",
                "policies=[{\"policy\":\"h2o\",\"budgets\":[64]},{\"policy\":\"h2o\",\"budgets\":[128]}]"), "label 'h2o' is used twice");
        assertOneLineError(Cli.run("sweep", "--config", dir.resolve("nope.json").toString()), "config file not found", "nope.json");
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\n  \"name\": \"t\",\n  \"tasks\": [\"niah_single\",\n}\n");
        assertOneLineError(Cli.run("sweep", "--config", bad.toString()), "bad.json", "not valid JSON at line 4");
    }

    @Test
    void plotOfAMissingOrCorruptResultsFile() throws Exception {
        assertOneLineError(Cli.run("plot", dir.resolve("none.jsonl").toString()), "none.jsonl");
        Path corrupt = dir.resolve("corrupt.jsonl");
        Files.writeString(corrupt, "{\"model\":\"default\",\n");
        assertOneLineError(Cli.run("plot", corrupt.toString()), "corrupt.jsonl", "line 1");
        Path notRows = dir.resolve("notrows.jsonl");
        Files.writeString(notRows, "{\"a\":1}\n");
        assertOneLineError(Cli.run("plot", notRows.toString()), "notrows.jsonl", "line 1");
    }

    @Test
    void mergeOfAMissingOrCorruptResultsFile() throws Exception {
        Path out = dir.resolve("merged");
        assertOneLineError(Cli.run("merge", "--out", out.toString(), dir.resolve("none.jsonl").toString()), "not found", "none.jsonl");
        Path corrupt = dir.resolve("corrupt2.jsonl");
        Files.writeString(corrupt, "{\"model\":\"default\",\n");
        assertOneLineError(Cli.run("merge", "--out", out.toString(), corrupt.toString()), "corrupt2.jsonl line 1");
        assertFalse(Files.exists(out.resolve("results.jsonl")), "no half-merged file is left behind");
    }

    @Test
    void anOutputFolderThatCannotBeMadeSaysWhatItWasDoing() throws Exception {
        Path file = dir.resolve("a-file");
        Files.writeString(file, "not a folder");
        Cli.Outcome o = Cli.run("sweep", "--set", "lengths=[1024]", "--out", file.resolve("out").toString());
        assertOneLineError(o, "cannot open results file", "a-file");
        assertTrue(o.errLines().length() > ("windowkv: " + file).length() + 10, "more than a bare path: " + o.errLines());
    }

    @Test
    void anUnknownOptionIsAParameterErrorWithExitCode2() {
        assertOneLineError(Cli.run("sweep", "--shards", "1/2"), "--shards");
    }

    @Test
    void anUnknownOptionSuggestsTheNearestOne() {
        assertOneLineError(Cli.run("generate", "--prompt", "hi", "--budgt", "128"), "--budgt", "did you mean --budget?");
        assertOneLineError(Cli.run("generate", "--prompt", "hi", "--temprature", "0.5"), "did you mean --temperature?");
    }

    @Test
    void versionPrintsTheProjectVersion() {
        Cli.Outcome top = Cli.run("-V");
        assertEquals(0, top.exit(), top.err());
        assertTrue(top.out().strip().matches("windowkv \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), top.out());
        for (String sub : new String[] {"generate", "sweep", "train-classifier"}) {
            Cli.Outcome o = Cli.run(sub, "--version");
            assertEquals(0, o.exit(), o.err());
            assertEquals(top.out(), o.out(), sub + " --version");
        }
    }

    @Test
    void theTornadoBackendThatCannotStartIsOneLine() {
        // The plain build has no TornadoVM: the same one line and exit code as every other user error.
        assertOneLineError(Cli.run("generate", "--prompt", "hi", "--backend", "tornado"), "TornadoVM");
    }
}
