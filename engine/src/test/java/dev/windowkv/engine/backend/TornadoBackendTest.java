package dev.windowkv.engine.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.windowkv.engine.Generator;
import dev.windowkv.engine.UserError;
import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.engine.gguf.Quantize;
import dev.windowkv.engine.kvcache.Compressor;
import dev.windowkv.engine.kvcache.KvCache;
import dev.windowkv.engine.kvcache.Policies;
import dev.windowkv.engine.kvcache.TaskType;
import dev.windowkv.engine.model.Model;
import dev.windowkv.engine.model.ModelConfig;
import dev.windowkv.engine.model.Transformer;
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
        assertSameAsVector("full", Map.of(), PROMPT);
    }

    /** WindowKV's selection (scores, pooling, window order) runs on the device; the prompt is long enough to drop windows. */
    @Test
    void windowKvKeepsTheSameTokensAndGeneratesTheSameTokens() {
        assertSameAsVector("windowkv", Map.of("budget", "24"), LONG_PROMPT);
    }

    /** Per-KV-head selection, with the scores' max pooling (SnapKV); its scores come from the device. */
    @Test
    void snapKvKeepsTheSameTokensAndGeneratesTheSameTokens() {
        assertSameAsVector("snapkv", Map.of("budget", "24"), LONG_PROMPT);
    }

    /**
     * Two prompts of one length under one policy: the second generation reuses the first one's plan
     * (compiled kernels, resident weights), so its cache must be compacted afresh.
     */
    @Test
    void aSecondPromptOfTheSameShapeReusesThePlanAndStillMatches() {
        Random rnd = new Random(7);
        for (int i = 0; i < 2; i++) {
            int[] tokens = new int[80];
            tokens[0] = 1;
            for (int j = 1; j < tokens.length; j++) tokens[j] = 3 + rnd.nextInt(40);
            assertSameAsVector("windowkv", Map.of("budget", "16"), tokens);
        }
    }

    private static final String PROMPT = "the key for the blue door is seven four two . remember it . "
            + "people walked in the park and talked about the weather and the long road home . "
            + "the key for the blue door is";

    private static final String LONG_PROMPT = "the key for the blue door is seven four two . remember it . "
            + "people walked in the park and talked about the weather and the long road home . ".repeat(5)
            + "the key for the blue door is";

    private static void assertSameAsVector(String policy, Map<String, String> options, String prompt) {
        try (Model m = Model.load(DEFAULT_MODEL)) {
            assertSameAsVector(policy, options, m.tokenizer().encode(prompt, true, false));
        }
    }

    /** Same kept prompt indices in every layer and KV head, same count per layer, same greedy tokens. */
    private static void assertSameAsVector(String policy, Map<String, String> options, int[] tokens) {
        try (Model m = Model.load(DEFAULT_MODEL); Backend vector = Backends.create("vector", 2)) {
            ModelConfig c = m.config();
            KvCache expectedCache = prefilled(m, vector, policy, options, tokens);
            KvCache actualCache = prefilled(m, tornado, policy, options, tokens);
            if (!policy.equals("full")) {
                assertTrue(expectedCache.tokensPerLayer()[0] < tokens.length, policy + " should drop tokens from this prompt");
            }
            for (int l = 0; l < c.nLayers(); l++) {
                for (int h = 0; h < c.nKvHeads(); h++) {
                    assertArrayEquals(expectedCache.positions(l, h), actualCache.positions(l, h),
                            policy + ": kept indices of layer " + l + ", KV head " + h);
                }
            }
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

    private static KvCache prefilled(Model m, Backend b, String policy, Map<String, String> options, int[] tokens) {
        ModelConfig c = m.config();
        Compressor compressor = Policies.create(policy, options)
                .start(c.nLayers(), c.nHeads(), c.nKvHeads(), c.headDim(), tokens.length, TaskType.QA);
        Transformer tf = new Transformer(m, b);
        tf.prefill(tokens, compressor, 8, KvCache.Dtype.F32);
        return tf.cache();
    }
}
