package dev.windowkv.experiments.sweep;

import dev.windowkv.experiments.cli.Cli;
import dev.windowkv.plots.SweepRow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A results folder reports what its config measured: no stale rows, no second writer. */
class SweepTrustTest {
    @TempDir
    Path dir;

    static final String GROUP_SIZE_4 = "policies=[{\"policy\":\"full\",\"label\":\"FullKV\"},"
            + "{\"policy\":\"streamingllm\",\"label\":\"StreamingLLM\",\"budgets\":[64]},"
            + "{\"policy\":\"windowkv\",\"label\":\"WindowKV\",\"budgets\":[64],\"options\":{\"groupSize\":\"4\"}}]";

    static List<SweepRow> reported(Path dir) {
        SweepConfig c = SweepFolder.readConfig(dir);
        return SweepFolder.rowsOf(dir, new SweepRunner(c, Shard.ALL, ProgressLog.Mode.quiet()).plan(), null);
    }

    @Test
    void changingAPolicyOptionRunsThatPolicyAgainAndReportsOnlyTheNewRows() throws Exception {
        TinySweep.run(dir);
        Cli.Outcome second = TinySweep.run(dir, "--set", GROUP_SIZE_4);
        assertTrue(second.err().contains("3 new rows"), "the WindowKV rows run again under groupSize 4: " + second.err());
        assertTrue(second.err().contains("3 rows of another configuration kept"), second.err());
        assertEquals(12, Rows.count(dir.resolve("results.jsonl")), "the groupSize-2 rows are kept, not deleted");

        List<SweepRow> rows = reported(dir);
        assertEquals(TinySweep.ROWS, rows.size());
        assertTrue(rows.stream().filter(r -> r.policy().equals("windowkv")).allMatch(r -> "4".equals(r.options().get("groupSize"))),
                "only the rows of the current config are reported");
        assertTrue(Files.readString(dir.resolve("config.json")).contains("\"4\""), "config.json describes the reported rows");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.filter(f -> f.getFileName().toString().startsWith("config.json.replaced-")).count(),
                    "the earlier config is kept beside its rows");
        }
    }

    /** A backend whose kernels changed their numbers does not reuse rows it computed before. */
    @Test
    void aRowsIdentityCarriesItsBackendsNumerics() {
        TinySweep.run(dir);
        SweepConfig c = SweepFolder.readConfig(dir);
        SweepPlan plan = new SweepRunner(c, Shard.ALL, ProgressLog.Mode.quiet()).plan();
        String identity = plan.identity(plan.cells().getFirst(), plan.runs().getFirst());
        String numerics = dev.windowkv.engine.backend.Backends.numerics(c.backend());
        assertEquals(numerics != null, identity.contains("numerics=" + numerics + "\n"), identity);
        assertTrue(dev.windowkv.engine.backend.Backends.numerics("vector") != null, "the vector backend's Q4_0 decode changed");
        assertEquals(null, dev.windowkv.engine.backend.Backends.numerics("scalar"), "the reference's ids stay as they were");
    }

    @Test
    void fewerSamplesOrDepthsReportOnlyThoseRows() {
        TinySweep.run(dir);
        Cli.Outcome narrower = TinySweep.run(dir, "--set", "depths=[0.5]");
        assertTrue(narrower.err().contains("0 new rows"), narrower.err());
        assertTrue(narrower.err().contains("6 rows of another configuration kept"), narrower.err());
        List<SweepRow> rows = reported(dir);
        assertEquals(3, rows.size(), "n per policy is 1, not 3");
        assertTrue(rows.stream().allMatch(r -> r.depth() == 0.5));
    }

    @Test
    void aSecondSweepIntoAFolderBeingWrittenIsRefusedAndNoRowIsWrittenTwice() throws Exception {
        Process child = ResumeAfterKillTest.childJvm(TinySweep.args(dir)).redirectErrorStream(true)
                .redirectOutput(dir.resolveSibling(dir.getFileName() + "-child.log").toFile()).start();
        Path results = dir.resolve("results.jsonl");
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
            while (Rows.count(results) < 1 && child.isAlive() && System.nanoTime() < deadline) Thread.sleep(20);
            assertTrue(child.isAlive(), "the first sweep must still be running for this test to mean anything");
            Cli.Outcome second = Cli.run(TinySweep.args(dir).toArray(String[]::new));
            assertEquals(2, second.exit(), second.err());
            assertTrue(second.errLines().startsWith("windowkv: " + dir) && second.errLines().contains("another sweep"),
                    second.errLines());
            assertEquals(1, second.errLines().lines().count(), second.errLines());
            assertTrue(child.waitFor(240, TimeUnit.SECONDS), "the first sweep finishes");
            assertEquals(0, child.exitValue());
        } finally {
            child.destroyForcibly();
        }
        assertEquals(TinySweep.ROWS, Rows.count(results), "every row once");
    }
}
