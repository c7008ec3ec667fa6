package dev.windowkv.experiments.defaultmodel;

import dev.windowkv.experiments.cli.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The shipped model is what its recipe makes: anyone can rebuild it and get the same bytes. */
class MakeModelTest {
    @TempDir
    Path dir;

    @Test
    void makeModelReproducesTheShippedFileByteForByte() throws Exception {
        Path made = dir.resolve("made.gguf");
        Cli.Outcome o = Cli.run("make-model", "--out", made.toString());
        assertEquals(0, o.exit(), o.err());
        Path shipped = Cli.shippedModel();
        assertEquals(Files.size(shipped), Files.size(made));
        assertEquals(-1L, Files.mismatch(shipped, made), "first differing byte");
    }

    @Test
    void aBadWeightTypeIsAOneLineError() {
        Cli.Outcome o = Cli.run("make-model", "--out", dir.resolve("x.gguf").toString(), "--type", "Q4_K");
        assertEquals(2, o.exit());
        assertEquals("windowkv: --type must be F32, F16 or Q8_0 (got 'Q4_K')", o.errLines());
    }
}
