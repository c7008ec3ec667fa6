package dev.windowkv.experiments.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import dev.windowkv.experiments.cli.Cli;
import dev.windowkv.experiments.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The requirement: kill the process mid-run, resume, compare with a run that was never killed. */
class ResumeAfterKillTest {
    @TempDir
    Path dir;

    @Test
    void aSweepKilledMidRunAndRunAgainEndsWithTheRowsOfAnUninterruptedRun() throws Exception {
        Path reference = TinySweep.reference();
        Path results = dir.resolve("results.jsonl");

        Process child = childJvm(TinySweep.args(dir)).redirectErrorStream(true)
                .redirectOutput(dir.resolve("child.log").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
            while (Rows.count(results) < 2 && child.isAlive() && System.nanoTime() < deadline) Thread.sleep(20);
        } finally {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
        int before = Rows.count(results);
        assertTrue(before >= 2 && before < TinySweep.ROWS,
                "the kill must land mid-run (" + before + " of " + TinySweep.ROWS + " rows); child log: "
                        + Files.readString(dir.resolve("child.log")));
        // A kill can also land inside a write: leave the start of a row with no newline behind.
        Files.writeString(results, "{\"model\":\"default\",\"backend\":\"vec", StandardOpenOption.APPEND);

        Cli.Outcome resumed = TinySweep.run(dir);
        assertTrue(resumed.err().contains((TinySweep.ROWS - before) + " new rows"),
                "the resumed run adds only the missing rows: " + resumed.err());

        List<JsonNode> got = Rows.withoutTimings(results);
        List<JsonNode> want = Rows.withoutTimings(reference);
        assertEquals(TinySweep.ROWS, got.size(), "no row lost, none twice");
        assertEquals(got.size(), new HashSet<>(got).size(), "no duplicates");
        assertEquals(new HashSet<>(want), new HashSet<>(got));
    }

    /** The same java and classpath as this test, as the launcher script would start the CLI. */
    static ProcessBuilder childJvm(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--add-modules", "jdk.incubator.vector", "-Xss4m", "-XX:+UseSerialGC",
                "-Dwindowkv.home=" + Cli.checkoutRoot(), "-Djava.awt.headless=true",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(args);
        return new ProcessBuilder(cmd);
    }
}
