package dev.windowkv.engine.model;

import dev.windowkv.engine.UserError;
import dev.windowkv.engine.backend.Backend;
import dev.windowkv.engine.backend.Backends;
import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.engine.kvcache.KvCache;
import dev.windowkv.engine.kvcache.Policies;
import dev.windowkv.engine.testutil.RandomModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A GGUF with a sliding attention window (Mistral v0.1 was trained with 4096): the engine attends
 * over every earlier token, which is the windowed computation only while the whole sequence fits in
 * the window, so it runs exactly those sequences and refuses longer ones in one line.
 */
class SlidingWindowTest {
    @TempDir
    Path dir;

    @Test
    void runsWithinTheWindowAndRefusesBeyondIt() {
        Path file = dir.resolve("mistral-window24.gguf");
        RandomModels.write(RandomModels.mistral(GGMLType.Q8_0), file, 1f, 24);
        try (Model m = Model.load(file); Backend backend = Backends.create("scalar", 1)) {
            ModelConfig c = m.config();
            assertEquals(24, c.slidingWindow());
            int[] prompt = new int[16];
            Arrays.fill(prompt, 1000);
            var policy = Policies.create("full", Map.of());
            Transformer fits = new Transformer(m, backend);
            fits.prefill(prompt, policy.start(c.nLayers(), c.nHeads(), c.nKvHeads(), c.headDim(), 16, null), 8,
                    KvCache.Dtype.F32);
            for (int i = 0; i < 8; i++) fits.decode(1000);
            assertEquals(24, fits.position(), "16 + 8 tokens fill the window exactly");

            String over = assertThrows(UserError.class, () -> new Transformer(m, backend).prefill(prompt,
                    policy.start(c.nLayers(), c.nHeads(), c.nKvHeads(), c.headDim(), 16, null), 9, KvCache.Dtype.F32))
                    .getMessage();
            assertTrue(over.startsWith("the prompt has 16 tokens and 9 more may be generated, but the model's sliding "
                    + "attention window is 24 tokens"), over);
            assertTrue(!over.contains("\n"), "one line");
            assertThrows(UserError.class, () -> new Transformer(m, backend).prefill(new int[25], (l, q, k, v) -> {}),
                    "a bare prefill longer than the window");
        }
    }
}
