package dev.windowkv.engine.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.windowkv.engine.Generator;
import dev.windowkv.engine.UserError;
import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.engine.gguf.Quantize;
import dev.windowkv.engine.kvcache.Policies;
import dev.windowkv.engine.kvcache.TaskType;
import dev.windowkv.engine.model.Model;
import dev.windowkv.engine.model.Weight;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The TornadoVM backend against the Java ones: its device matmul agrees with the scalar reference,
 * and on the default model its whole-layer device decode (KV cache compacted and kept on the device)
 * keeps as many tokens per layer and produces the same greedy tokens as the vector backend, under
 * FullKV and WindowKV. Kernel-by-kernel agreement is TornadoKernelsTest (src/tornado-test). Runs only where the
 * engine's {@code tornado} profile compiled the backend (TORNADOVM_HOME set); elsewhere it is
 * skipped and says so in one line.
 */
class TornadoBackendTest {
    private static final Path DEFAULT_MODEL = Path.of("../experiments/models/windowkv-induction.gguf");

    private static Backend tornado;
    private static String skipReason;

    @BeforeAll
    static void start() {
        try {
            tornado = Backends.create("tornado", 2);
        } catch (UserError e) {
            skipReason = e.getMessage();
            System.err.println("TornadoBackendTest skipped: " + skipReason);
        }
    }

    @AfterAll
    static void stop() {
        if (tornado != null) tornado.close();
    }

    @BeforeEach
    void needsTornadoVm() {
        assumeTrue(tornado != null, () -> "TornadoVM not available: " + skipReason);
    }

    @Test
    void matmulAgreesWithScalarForF32AndQ8_0() {
        for (GGMLType type : new GGMLType[] {GGMLType.F32, GGMLType.Q8_0}) {
            int rows = 48;
            int cols = 64;
            Random rnd = new Random(3);
            float[] values = new float[rows * cols];
            for (int i = 0; i < values.length; i++) values[i] = (float) rnd.nextGaussian();
            byte[] data = Quantize.quantize(type, values);
            Weight w = new Weight("test." + type, type, MemorySegment.ofArray(data), rows, cols, type.byteSize(cols));
            float[] x = new float[cols];
            for (int i = 0; i < cols; i++) x[i] = (float) rnd.nextGaussian();

            float[] expected = new float[rows];
            float[] actual = new float[rows];
            try (Backend scalar = new ScalarBackend()) {
                scalar.matmul(w, x, 1, expected);
            }
            tornado.matmul(w, x, 1, actual);
            tornado.matmul(w, x, 1, actual); // the second call reuses the weight already on the device
            assertArrayEquals(expected, actual, 1e-4f, type.toString());
        }
    }

    @Test
    void fullKvGreedyTokensMatchVector() {
        assertSameTokensAsVector("full", Map.of());
    }

    @Test
    void windowKvGreedyTokensMatchVector() {
        assertSameTokensAsVector("windowkv", Map.of("budget", "24"));
    }

    private static void assertSameTokensAsVector(String policy, Map<String, String> options) {
        String prompt = "the key for the blue door is seven four two . remember it . "
                + "people walked in the park and talked about the weather and the long road home . "
                + "the key for the blue door is";
        try (Model m = Model.load(DEFAULT_MODEL); Backend vector = Backends.create("vector", 2)) {
            int[] tokens = m.tokenizer().encode(prompt, true, false);
            Generator.Settings greedy = Generator.Settings.greedy(8);
            Generator.Result expected = new Generator(m, vector)
                    .generate(tokens, greedy, Policies.create(policy, options), TaskType.QA, null);
            Generator.Result actual = new Generator(m, tornado)
                    .generate(tokens, greedy, Policies.create(policy, options), TaskType.QA, null);
            assertTrue(expected.tokens().length > 0, "the vector backend generated nothing");
            assertArrayEquals(expected.tokensKeptPerLayer(), actual.tokensKeptPerLayer(), policy + ": tokens kept per layer");
            assertArrayEquals(expected.tokens(), actual.tokens(), policy + ": " + expected.text() + " vs " + actual.text());
            assertEquals(expected.text(), actual.text());
        }
    }
}
