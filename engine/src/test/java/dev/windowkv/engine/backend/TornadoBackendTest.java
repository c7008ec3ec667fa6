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
import dev.windowkv.engine.testutil.TinyModels;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TornadoVM backend against the Java ones: its device matmul agrees with the scalar reference,
 * and on the default model and a random-weight GQA model its whole-layer device decode (KV cache
 * compacted and kept on the device) keeps the same prompt tokens per layer and KV head and produces
 * the same greedy tokens as the vector backend, under every policy the device cache holds (not
 * AdaKV's ragged counts nor ThinK's pruned channels). Kernel-by-kernel agreement is TornadoKernelsTest (src/tornado-test). Runs only where the
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

    /** The other policies a device cache holds (one count per layer, every key channel): their selection stays on the host. */
    @Test
    void pyramidKvStreamingLlmAndChunkKvKeepAndGenerateAsVector() {
        for (String policy : new String[] {"pyramidkv", "streamingllm", "chunkkv"}) {
            assertSameAsVector(policy, Map.of("budget", "24"), LONG_PROMPT);
        }
    }

    /**
     * H2O ranks every prompt token by the attention mass of all queries, scored on the device. Until
     * 2026-12-02 layer 0, KV head 0 kept token 18 where vector keeps token 10, and the text differed
     * (" seven is seven is seven" against " see door is see door is"): TornadoVM miscompiled the
     * causal mask's if in ObservationScores.accumulate (TORNADOVM.md, pitfall 10).
     */
    @Test
    void h2oKeepsAndGeneratesAsVector() {
        try (Model m = Model.load(DEFAULT_MODEL)) {
            assertSameAsVector("h2o", Map.of("budget", "24"), m.tokenizer().encode(LONG_PROMPT, true, false));
        }
    }

    /**
     * A random-weight GQA model (4 query heads over 2 KV heads), Q8_0 and Q4_0 weights and embedding,
     * under every policy the device selects for (scored and selected in the prefill plan).
     */
    @Test
    void aRandomGqaModelKeepsAndGeneratesAsVector(@TempDir Path dir) {
        Random rnd = new Random(13);
        int[] tokens = new int[90];
        tokens[0] = 1;
        for (int j = 1; j < tokens.length; j++) tokens[j] = 3 + rnd.nextInt(TinyModels.LLAMA.vocabSize() - 3);
        for (GGMLType type : new GGMLType[] {GGMLType.Q8_0, GGMLType.Q4_0}) {
            Path file = dir.resolve("tiny-gqa-" + type + ".gguf");
            TinyModels.llama(file, type, 11);
            for (String policy : DEVICE_SELECTED) {
                assertSameAsVector(file, policy, policy.equals("full") ? Map.of() : Map.of("budget", "24"), tokens);
            }
        }
    }

    /** The policies whose selection runs in the device prefill plan: only their result comes back, not the queries. */
    private static final List<String> DEVICE_SELECTED = List.of("full", "streamingllm", "h2o", "snapkv", "pyramidkv",
            "windowkv");

    /** The same model with Q4_0, F16 and F32 weights: the device looks the token up in each table. */
    @Test
    void aRandomGqaModelWithQ4_0F16OrF32WeightsGeneratesAsVector(@TempDir Path dir) {
        Random rnd = new Random(17);
        int[] tokens = new int[40];
        tokens[0] = 1;
        for (int j = 1; j < tokens.length; j++) tokens[j] = 3 + rnd.nextInt(TinyModels.LLAMA.vocabSize() - 3);
        for (GGMLType type : new GGMLType[] {GGMLType.Q4_0, GGMLType.F16, GGMLType.F32}) {
            Path file = dir.resolve("tiny-gqa-" + type + ".gguf");
            TinyModels.llama(file, type, 11);
            assertSameAsVector(file, "full", Map.of(), tokens);
        }
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

    private static void assertSameAsVector(String policy, Map<String, String> options, int[] tokens) {
        assertSameAsVector(DEFAULT_MODEL, policy, options, tokens);
    }

    /** Same kept prompt indices in every layer and KV head, same count per layer, same greedy tokens. */
    private static void assertSameAsVector(Path model, String policy, Map<String, String> options, int[] tokens) {
        try (Model m = Model.load(model); Backend vector = Backends.create("vector", 2)) {
            ModelConfig c = m.config();
            KvCache expectedCache = prefilled(m, vector, policy, options, tokens);
            DeviceCounters before = tornado.deviceCounters();
            KvCache actualCache = prefilled(m, tornado, policy, options, tokens);
            long back = tornado.deviceCounters().minus(before).setupBytesToHost();
            // The logits come back and, when the device selects, the selection: a few ints per token; the
            // keys and values stay on the device for the decode. When the host selects, the queries,
            // keys and values of every layer come back.
            int bucket = Math.ceilDiv(tokens.length, 256) * 256;
            long logits = 4L * c.vocabSize();
            long keysValues = 4L * c.nLayers() * 2L * bucket * c.kvDim();
            long queries = 4L * c.nLayers() * bucket * c.qDim();
            assertTrue(back >= logits, policy + ": " + back + " bytes back, less than the logits");
            if (DEVICE_SELECTED.contains(policy)) {
                assertTrue(back - logits < keysValues / (2L * c.nLayers()),
                        policy + ": keys/values or queries came back (" + back + " bytes)");
            } else {
                assertTrue(back - logits >= keysValues + queries, policy + ": selects on the host, so the queries come back");
            }
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
