package dev.windowkv.experiments.sweep;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.windowkv.experiments.cli.Cli;
import dev.windowkv.plots.BenchReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A sweep ends with its fourth figure: every Java backend on its model, measured once per results folder. */
class SweepBackendComparisonTest {
    @TempDir
    Path dir;

    @Test
    void theSweepWritesTheBackendComparisonAndDrawsIt() throws Exception {
        List<String> args = new java.util.ArrayList<>(TinySweep.args(dir));
        args.remove("--no-plots");
        args.set(args.indexOf("backendComparison=null"), "backendComparison=32");
        Cli.useCheckoutAsHome();
        Cli.Outcome o = Cli.run(args.toArray(String[]::new));
        assertEquals(0, o.exit(), o.err());
        BenchReport r = new ObjectMapper().readValue(dir.resolve("backends.json").toFile(), BenchReport.class);
        assertEquals(List.of("java-scalar", "java-threads", "java-vector"), r.results().stream().map(b -> b.backend()).toList());
        assertTrue(r.results().stream().allMatch(b -> b.prefillTokPerSec() > 0 && b.decodeTokPerSec() > 0));
        assertTrue(Files.size(dir.resolve("plots/backend-throughput.png")) > 2000, "the backend figure is drawn");
    }
}
