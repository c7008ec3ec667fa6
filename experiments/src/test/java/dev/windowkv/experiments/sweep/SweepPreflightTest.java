package dev.windowkv.experiments.sweep;

import dev.windowkv.experiments.cli.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A sweep that would fail later fails first: against every model, before any prompt or file. */
class SweepPreflightTest {
    @TempDir
    Path dir;

    Cli.Outcome refused(String... extra) {
        Path out = dir.resolve("out");
        Cli.useCheckoutAsHome();
        long t0 = System.nanoTime();
        Cli.Outcome o = Cli.run(TinySweep.args(out, extra).toArray(String[]::new));
        assertEquals(2, o.exit(), o.err());
        assertEquals(1, o.errLines().lines().count(), "one line: " + o.errLines());
        assertFalse(Files.exists(out), "nothing is written: " + o.errLines());
        assertTrue(System.nanoTime() - t0 < 20e9, "refused at once");
        return o;
    }

    @Test
    void aLengthBeyondTheContextIsRefusedBeforeAnyPromptIsBuilt() {
        String err = refused("--set", "lengths=[2147483647]").errLines();
        assertTrue(err.contains("2147483647") && err.contains("context of 4096"), err);
    }

    @Test
    void aGroupSizeLargerThanTheLayerCountIsRefusedBeforeAnyRow() {
        String err = refused("--set", "policies=[{\"policy\":\"windowkv\",\"label\":\"W\",\"budgets\":[64],"
                + "\"options\":{\"groupSize\":\"16\"}}]").errLines();
        assertTrue(err.contains("groupSize 16") && err.contains("8 layers"), err);
    }

    @Test
    void aMissingSecondModelIsNamedBeforeTheFirstModelRuns() {
        String err = refused("--set", "models=[\"default\",\"/nonexistent/second.gguf\"]").errLines();
        assertTrue(err.contains("/nonexistent/second.gguf") && err.contains("not found"), err);
        assertFalse(err.contains("Already closed"), err);
    }

    @Test
    void aCorruptSecondModelIsNamedBeforeTheFirstModelRuns() throws Exception {
        Path bad = dir.resolve("bad.gguf");
        Files.write(bad, new byte[]{'G', 'G', 'U', 'F', 3, 0, 0, 0, 1});
        String err = refused("--set", "models=[\"default\",\"" + bad + "\"]").errLines();
        assertTrue(err.contains("bad.gguf"), err);
    }
}
