package dev.windowkv.experiments.bench;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.windowkv.engine.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The in-process llama.cpp bench's child JVM: a model it cannot load is one line, not a hang or a stack trace. */
class InProcessLlamaTest {
    @Test
    void aMissingModelIsOneLine(@TempDir Path dir) {
        UserError e = assertThrows(UserError.class,
                () -> InProcessLlama.run(dir.resolve("none.gguf"), 1, List.of(8), 2, 1, 2));
        assertTrue(e.getMessage().contains("no model file at"), e.getMessage());
        assertTrue(e.getMessage().endsWith("skip it with --no-in-process"), e.getMessage());
        assertTrue(e.getMessage().lines().count() == 1, e.getMessage());
    }

    @Test
    void aCorruptModelIsOneLine(@TempDir Path dir) throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.gguf"), "this is not a GGUF file");
        UserError e = assertThrows(UserError.class, () -> InProcessLlama.run(bad, 1, List.of(8), 2, 1, 2));
        assertTrue(e.getMessage().startsWith("the in-process llama.cpp bench failed (exit 1): "), e.getMessage());
        assertTrue(e.getMessage().lines().count() == 1, e.getMessage());
    }
}
