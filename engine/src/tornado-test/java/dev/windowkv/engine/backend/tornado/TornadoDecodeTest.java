package dev.windowkv.engine.backend.tornado;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.windowkv.engine.backend.Backend;
import dev.windowkv.engine.backend.Backends;
import dev.windowkv.engine.backend.DeviceCounters;
import dev.windowkv.engine.kvcache.Compressor;
import dev.windowkv.engine.kvcache.KvCache;
import dev.windowkv.engine.kvcache.KvPolicy;
import dev.windowkv.engine.kvcache.Policies;
import dev.windowkv.engine.kvcache.TaskType;
import dev.windowkv.engine.model.Model;
import dev.windowkv.engine.model.ModelConfig;
import dev.windowkv.engine.model.PrefillCapture;
import dev.windowkv.engine.model.Transformer;
import dev.windowkv.engine.sampling.Sampler;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What crosses the bus per decoded token, measured by TornadoVM's own profiler, and how many plans a
 * run of prompts compiles. Only compiled where TornadoVM is installed (the engine's tornado profile).
 */
class TornadoDecodeTest {
    private static final Path DEFAULT_MODEL = Path.of("../experiments/models/windowkv-induction.gguf");

    private static TornadoBackend tornado;
    private static Model model;

    @BeforeAll
    static void start() {
        tornado = new TornadoBackend(2, true); // bytes from TornadoVM's profiler
        model = Model.load(DEFAULT_MODEL);
    }

    @AfterAll
    static void stop() {
        tornado.close();
        model.close();
    }

    /**
     * Every decoded token sends its id and position (8 bytes) and brings back the logits, for 64
     * prompt tokens as for 2,048. Before, each layer's prompt keys and values went down with every
     * token (4 MiB per layer at 2,048 tokens on this model). And the prompt's keys and values never
     * cross the bus: the prefill brings back the logits (FullKV selects nothing), the first token
     * takes down the kept indices (see {@link #perToken}).
     */
    @Test
    void aDecodedTokenMovesTheSameBytesAfterA64And2048TokenPrompt() {
        DeviceCounters short64 = perTokenAfter(64);
        DeviceCounters long2048 = perTokenAfter(2048);
        assertTrue(short64.profiled() && long2048.profiled(), "bytes should be the profiler's");
        assertEquals(short64.bytesToDevicePerToken(), long2048.bytesToDevicePerToken(), "host to device per token");
        assertEquals(short64.bytesToHostPerToken(), long2048.bytesToHostPerToken(), "device to host per token");
        // TornadoVM's profiler counts buffer sizes with their array headers, and a small buffer per
        // launched kernel: a constant, but not just step's 8 bytes. Before, one layer alone sent the
        // prompt's keys and values with every token.
        long oneLayersPrompt = 2L * 64 * model.config().kvDim() * Float.BYTES;
        assertTrue(short64.bytesToDevicePerToken() < oneLayersPrompt, short64 + " vs " + oneLayersPrompt);
        double logits = 4.0 * model.output().rows();
        assertTrue(long2048.bytesToHostPerToken() >= logits && long2048.bytesToHostPerToken() <= logits + 64,
                "the logits come back, and nothing else: " + long2048.bytesToHostPerToken());
        assertEquals(short64.launchesPerToken(), long2048.launchesPerToken(), "launches per token");
    }

    /**
     * TornadoVM's profiler times the decode's attention tasks apart from the rest (read from its
     * per-task log), and that time grows with the cache: about 30 times the keys after 2,048 prompt
     * tokens as after 64. Not a timing test: asserted is only that the attention time is there, is
     * part of the kernel time, and at least doubles, far inside what the 30-fold work gives on a
     * loaded machine (the sum over 8 layers and 4 tokens smooths a single preempted kernel).
     */
    @Test
    void theProfilerTimesTheDecodesAttentionWhichGrowsWithTheCache() {
        DeviceCounters short64 = perTokenAfter(64);
        DeviceCounters long2048 = perTokenAfter(2048);
        System.out.printf("attention per token: %.3f ms of %.3f ms kernel time after 64 tokens, %.3f ms of %.3f ms after 2048%n",
                short64.attentionMillisPerToken(), short64.kernelMillisPerToken(), long2048.attentionMillisPerToken(),
                long2048.kernelMillisPerToken());
        for (DeviceCounters d : List.of(short64, long2048)) {
            assertTrue(d.attentionNanos() > 0, "no attention time in the profiler's log: " + d);
            assertTrue(d.attentionNanos() < d.kernelNanos(), "attention is one task of several: " + d);
        }
        assertTrue(long2048.attentionMillisPerToken() > 2 * short64.attentionMillisPerToken(),
                "attention over 2,048 cached tokens should cost more than over 64: " + long2048.attentionMillisPerToken()
                        + " vs " + short64.attentionMillisPerToken() + " ms per token");
    }

    /**
     * The profiler switches per execution, for every plan, open or opened later: with it off, decoded
     * tokens add no kernel times and their bytes are the declared sizes (8 B down: the token and its
     * position; the argmax and the logits up), and with it on again the same generation's tokens have kernel and
     * attention times and the profiler's bytes (with array headers: more than declared). Fails when the
     * switch does not reach the plans (kernel times logged while off, or none after), or when the
     * counters mix the two kinds of tokens.
     */
    @Test
    void theProfilerSwitchesOffAndOnAgainBetweenTokens() {
        SplittableRandom rnd = new SplittableRandom(11);
        long logits = 4L * model.output().rows();
        try {
            Transformer opened = prefilled(200, 24, rnd); // its plan opened with the profiler on
            opened.decode(rnd.nextInt(model.tokenEmbedding().rows())); // the first token compacts: not counted
            assertTrue(tornado.profileKernels(false));
            assertFalse(tornado.kernelsProfiled());
            Transformer openedOff = prefilled(600, 24, rnd); // another bucket: a plan opened with the profiler off
            openedOff.decode(rnd.nextInt(model.tokenEmbedding().rows()));
            for (Transformer tf : List.of(opened, openedOff)) {
                DeviceCounters off = decode(tf, 4);
                assertEquals(4, off.decodedTokens());
                assertEquals(0, off.profiledTokens());
                assertFalse(off.profiled());
                assertEquals(0, off.kernelNanos(), "kernel times logged with the profiler off: " + off);
                assertEquals(0, off.attentionNanos(), "attention times logged with the profiler off: " + off);
                assertTrue(Double.isNaN(off.kernelMillisPerToken()));
                assertEquals(2.0 * Integer.BYTES, off.bytesToDevicePerToken(), "declared: the token and its position");
                assertEquals(logits + Integer.BYTES, off.bytesToHostPerToken(), "declared: the argmax and the logits");
            }
            assertTrue(tornado.profileKernels(true));
            for (Transformer tf : List.of(opened, openedOff)) {
                DeviceCounters on = decode(tf, 4);
                assertEquals(4, on.profiledTokens());
                assertTrue(on.profiled(), on.toString());
                assertTrue(on.attentionNanos() > 0 && on.attentionNanos() < on.kernelNanos(),
                        "kernel and attention times again with the profiler on: " + on);
                assertTrue(on.bytesToDevicePerToken() > 2.0 * Integer.BYTES,
                        "the profiler's bytes count array headers: " + on.bytesToDevicePerToken());
            }
            // An interval with both kinds of tokens: the kernel time per token is per profiled token.
            tornado.profileKernels(false);
            DeviceCounters before = tornado.deviceCounters();
            opened.decode(rnd.nextInt(model.tokenEmbedding().rows()));
            tornado.profileKernels(true);
            opened.decode(rnd.nextInt(model.tokenEmbedding().rows()));
            DeviceCounters mixed = tornado.deviceCounters().minus(before);
            assertEquals(2, mixed.decodedTokens());
            assertEquals(1, mixed.profiledTokens());
            assertFalse(mixed.profiled(), "not every token of the interval was profiled");
            assertEquals(mixed.kernelNanos() / 1e6, mixed.kernelMillisPerToken(), 1e-9);
        } finally {
            tornado.profileKernels(true);
        }
    }

    private static DeviceCounters decode(Transformer tf, int n) {
        SplittableRandom rnd = new SplittableRandom(n);
        DeviceCounters before = tornado.deviceCounters();
        for (int i = 0; i < n; i++) tf.decode(rnd.nextInt(model.tokenEmbedding().rows()));
        return tornado.deviceCounters().minus(before);
    }

    /**
     * Prompt lengths in two buckets of 256 (and capacities too): at most two decode plans are built,
     * and at most two plans compiled: each bucket's decode plan holds its prefill.
     */
    @Test
    void twentyPromptsInTwoLengthBucketsCompileAtMostTwoDecodePlans() {
        SplittableRandom rnd = new SplittableRandom(5);
        // A prompt in a third bucket first, so the loop starts with no plan of its buckets.
        prefilled(900, 8, rnd).decode(1);
        DeviceCounters before = tornado.deviceCounters();
        int decodeBefore = tornado.decodePlansBuilt();
        for (int i = 0; i < 20; i++) {
            int n = (i % 2 == 0 ? 20 : 300) + rnd.nextInt(180); // 20..199 and 300..479, room 8: buckets 256 and 512
            Transformer tf = prefilled(n, 8, rnd);
            tf.decode(rnd.nextInt(model.tokenEmbedding().rows()));
        }
        int decodePlans = tornado.decodePlansBuilt() - decodeBefore;
        assertTrue(decodePlans <= 2, decodePlans + " decode plans built for two buckets");
        long compiled = tornado.deviceCounters().minus(before).compilations();
        assertTrue(compiled <= 2, compiled + " plans compiled for two buckets (a decode plan each, its prefill in it)");
    }

    /**
     * Greedy decoding brings back each token's argmax, computed on the device (4 bytes; the profiler
     * adds an array header), not the logits, and picks {@code vector}'s tokens. Failed before the
     * argmax ran on the device ({@code DeviceDecoder}'s default, the host's argmax of the logits:
     * 15,448 B back per token).
     */
    @Test
    void greedyDecodeBringsBackOnlyTheArgmaxAndPicksVectorsTokens() {
        int[] prompt = model.tokenizer().encode(
                "the key for the blue door is seven four two . the key for the blue door is", true, false);
        int n = 12;
        int[] expected = new int[n];
        try (Backend vector = Backends.create("vector", 2)) {
            Transformer tf = new Transformer(model, vector);
            float[] logits = tf.prefill(prompt, full(prompt.length), n, KvCache.Dtype.F32);
            for (int i = 0; i < n; i++) {
                expected[i] = Sampler.argmax(logits);
                if (i + 1 < n) logits = tf.decode(expected[i]);
            }
        }
        int[] actual = new int[n];
        Transformer tf = new Transformer(model, tornado);
        actual[0] = Sampler.argmax(tf.prefill(prompt, full(prompt.length), n, KvCache.Dtype.F32));
        actual[1] = tf.decodeGreedy(actual[0]); // the first token also compacts the prompt: not counted
        DeviceCounters before = tornado.deviceCounters();
        for (int i = 2; i < n; i++) actual[i] = tf.decodeGreedy(actual[i - 1]);
        DeviceCounters greedy = tornado.deviceCounters().minus(before);
        assertArrayEquals(expected, actual, "greedy tokens");
        assertEquals(n - 2, greedy.decodedTokens());
        assertTrue(greedy.bytesToHostPerToken() >= Integer.BYTES && greedy.bytesToHostPerToken() <= Integer.BYTES + 64,
                "only the argmax should come back, not the logits (" + 4 * model.output().rows() + " B): "
                        + greedy.bytesToHostPerToken() + " B per token");
    }

    private static Compressor full(int n) {
        ModelConfig c = model.config();
        return Policies.create("full", Map.of()).start(c.nLayers(), c.nHeads(), c.nKvHeads(), c.headDim(), n, null);
    }

    /**
     * A sweep's path, where the keys and values do come from the host: one prefill captured for two
     * policies, each restored (the decoder's {@code prompt<l>} graphs take the kept keys/values
     * down), through the plan a generation's device prefill built first for the same buckets. The
     * same kept indices per layer and KV head and the same 8 greedy tokens as {@code vector}'s.
     */
    @Test
    void aCapturesRestoreDecodesAsVectorThroughAPlanThatAlsoPrefills() {
        String prompt = "the key for the blue door is seven four two . remember it . "
                + "people walked in the park and talked about the weather and the long road home . ".repeat(5)
                + "the key for the blue door is";
        int[] tokens = model.tokenizer().encode(prompt, true, false);
        List<KvPolicy> policies = List.of(Policies.create("snapkv", Map.of("budget", "24")),
                Policies.create("windowkv", Map.of("budget", "24")));
        ModelConfig c = model.config();
        // Builds the plan that prefills, for these buckets; closed, so that the restores may use it.
        try (Transformer generation = new Transformer(model, tornado)) {
            generation.prefill(tokens, policies.getFirst().start(c.nLayers(), c.nHeads(), c.nKvHeads(), c.headDim(),
                    tokens.length, TaskType.QA), 8, KvCache.Dtype.F32);
            generation.decode(1);
        }
        int plansBefore = tornado.decodePlansBuilt();
        try (Backend vector = Backends.create("vector", 2)) {
            for (KvPolicy policy : policies) {
                Restored expected = Restored.of(vector, tokens, policies, policy);
                Restored actual = Restored.of(tornado, tokens, policies, policy);
                for (int l = 0; l < c.nLayers(); l++) {
                    for (int h = 0; h < c.nKvHeads(); h++) {
                        assertArrayEquals(expected.kept[l][h], actual.kept[l][h],
                                policy.name() + ": kept indices of layer " + l + ", KV head " + h);
                    }
                }
                assertTrue(expected.kept[0][0].length < tokens.length, policy.name() + " should drop tokens");
                assertArrayEquals(expected.tokens, actual.tokens, policy.name() + ": greedy tokens");
            }
        }
        assertEquals(plansBefore, tornado.decodePlansBuilt(), "the restores should reuse the plan that prefills");
    }

    /**
     * The kept prompt indices per layer and KV head, and 8 greedy tokens, after restoring
     * {@code policy} from a capture of {@code prompt} (the indices read before decoding: with a
     * device decoder the host cache does not grow).
     */
    private record Restored(int[][][] kept, int[] tokens) {
        static Restored of(Backend b, int[] prompt, List<KvPolicy> policies, KvPolicy policy) {
            // Closed after: the next restore may then use the plan.
            try (Transformer tf = new Transformer(model, b);
                 PrefillCapture capture = PrefillCapture.run(tf, prompt, policies, TaskType.QA)) {
                tf.restore(capture, policy, 8, KvCache.Dtype.F32);
                ModelConfig c = model.config();
                int[][][] kept = new int[c.nLayers()][c.nKvHeads()][];
                for (int l = 0; l < c.nLayers(); l++) {
                    for (int h = 0; h < c.nKvHeads(); h++) kept[l][h] = tf.cache().positions(l, h);
                }
                float[] logits = capture.logits();
                int[] out = new int[8];
                for (int i = 0; i < out.length; i++) {
                    out[i] = argmax(logits);
                    logits = tf.decode(out[i]);
                }
                return new Restored(kept, out);
            }
        }
    }

    private static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
        return best;
    }

    /**
     * Generates once with a prompt of {@code n} tokens (the plan compiles and takes its weights
     * down), then again with a fresh prompt of the same length through the same plan, and asserts
     * for that second generation that the prompt's keys and values crossed the bus neither way:
     * the prefill brings back only the logits (FullKV has no selection to send back), and the first
     * decoded token takes down only the kept indices (4 B per KV head and kept token, per layer) and
     * the lengths. Before (2026-12-02), the prefill brought back every layer's keys and values and
     * the first token took the kept ones down again: 4.2 MB each way at 64 tokens, 33.6 MB at 2,048.
     * Returns the counters of the 4 tokens after the first.
     */
    private static DeviceCounters perToken(int n) {
        SplittableRandom rnd = new SplittableRandom(n);
        ModelConfig c = model.config();
        try (Transformer first = prefilled(n, 8, rnd)) { // closed: the second generation then takes its plan
            first.decode(rnd.nextInt(model.tokenEmbedding().rows()));
        }
        DeviceCounters start = tornado.deviceCounters();
        Transformer tf = prefilled(n, 8, rnd);
        DeviceCounters afterPrefill = tornado.deviceCounters();
        tf.decode(rnd.nextInt(model.tokenEmbedding().rows()));
        DeviceCounters afterFirst = tornado.deviceCounters();
        long oneLayersKv = 2L * n * c.kvDim() * Float.BYTES;
        long logits = 4L * model.output().rows();
        long prefillBack = afterPrefill.minus(start).setupBytesToHost();
        long firstDown = afterFirst.minus(afterPrefill).setupBytesToDevice();
        int bucket = TornadoDecoder.bucket(n);
        long keptIndices = 4L * c.nLayers() * (c.nKvHeads() * bucket + 2);
        System.out.printf("%d prompt tokens: prefill %d B device->host; first token %d B host->device outside the"
                + " per-token graphs (kept indices and lengths %d; one layer's keys/values %d)%n", n, prefillBack,
                firstDown, keptIndices, oneLayersKv);
        // The profiler counts array headers, a small buffer per launch, and what goes down twice (pitfall
        // 9: the 8-byte step reads 72 B): slack, far below one layer's keys and values.
        assertTrue(prefillBack >= logits && prefillBack <= logits + 1024,
                n + " tokens: the prefill brought back " + prefillBack + " B, more than the logits (" + logits + ")");
        assertTrue(firstDown <= 2 * keptIndices + 4096 && firstDown < oneLayersKv,
                n + " tokens: the first token took down " + firstDown + " B, more than the kept indices (" + keptIndices
                        + ")");
        for (int i = 0; i < 4; i++) tf.decode(rnd.nextInt(model.tokenEmbedding().rows()));
        DeviceCounters four = tornado.deviceCounters().minus(afterFirst);
        assertEquals(4, four.decodedTokens());
        assertEquals(0, four.setupBytesToDevice(), "nothing but the tokens' own bytes after the first");
        return four;
    }

    /** {@link #perToken}, measured once per length for the tests that read it (a 2,048-token prefill is slow on PoCL). */
    private static DeviceCounters perTokenAfter(int n) {
        return PER_TOKEN.computeIfAbsent(n, TornadoDecodeTest::perToken);
    }

    private static final Map<Integer, DeviceCounters> PER_TOKEN = new java.util.HashMap<>();

    private static Transformer prefilled(int n, int room, SplittableRandom rnd) {
        ModelConfig c = model.config();
        int[] tokens = new int[n];
        for (int i = 0; i < n; i++) tokens[i] = rnd.nextInt(c.vocabSize());
        Compressor full = Policies.create("full", Map.of()).start(c.nLayers(), c.nHeads(), c.nKvHeads(), c.headDim(), n, null);
        Transformer tf = new Transformer(model, tornado);
        tf.prefill(tokens, full, room, KvCache.Dtype.F32);
        return tf;
    }
}
