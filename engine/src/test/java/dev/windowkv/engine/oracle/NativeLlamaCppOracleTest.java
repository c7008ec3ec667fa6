package dev.windowkv.engine.oracle;

import dev.windowkv.engine.backend.Backend;
import dev.windowkv.engine.backend.Backends;
import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.engine.kvcache.KvCache;
import dev.windowkv.engine.kvcache.Policies;
import dev.windowkv.engine.model.Model;
import dev.windowkv.engine.model.Transformer;
import dev.windowkv.engine.testutil.RandomModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Our engine against a native llama.cpp build ({@link NativeLlamaCpp}) on random-weight GGUF files,
 * for what the in-process binding's llama.cpp cannot load: qwen3 (QK-norm, heads wider than
 * {@code dim / heads}) in F32, F16, Q8_0 and Q4_0. Two controls, llama and qwen2 in F32, show that
 * this oracle and the binding's agree on what both can run.
 *
 * <ul>
 *   <li>(a) Greedy tokens: after the {@value LlamaCppOracleTest#PROMPT}-token prompt our top token is
 *       llama.cpp's, and so on for {@value LlamaCppOracleTest#GREEDY} tokens, each decoded over our KV
 *       cache as llama.cpp decodes over its own (token ids compared, not text).</li>
 *   <li>(b) Top-{@value #TOP} log-probabilities: at every one of those steps, our log-probability of each
 *       of llama.cpp's {@value #TOP} most likely tokens is within {@link LlamaCppOracleTest#tolerance} of
 *       llama.cpp's.</li>
 * </ul>
 *
 * <p>Ours on the scalar and vector backends. Skipped where the native build is absent (it takes
 * minutes: {@code engine/scripts/llama-cpp-oracle.sh}).
 */
class NativeLlamaCppOracleTest {
    static final int TOP = 5;

    private static final String SKIPPED = "NativeLlamaCppOracleTest skipped: no native llama.cpp oracle at "
            + NativeLlamaCpp.executable() + "; build it with engine/scripts/llama-cpp-oracle.sh (minutes, once)";

    @BeforeAll
    static void sayWhySkipped() {
        if (!NativeLlamaCpp.available()) System.err.println(SKIPPED);
    }

    @BeforeEach
    void needsTheNativeBuild() {
        assumeTrue(NativeLlamaCpp.available(), SKIPPED);
    }

    static Stream<RandomModels.Spec> models() {
        List<RandomModels.Spec> all = new ArrayList<>();
        for (GGMLType t : RandomModels.TYPES) all.add(RandomModels.qwen3(t));
        all.add(RandomModels.llama(GGMLType.F32));
        all.add(RandomModels.qwen2(GGMLType.F32));
        return all.stream();
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("models")
    void agreesWithLlamaCpp(RandomModels.Spec spec) {
        var path = RandomModels.file(spec);
        try (Model model = Model.load(path)) {
            int[] prompt = LlamaCppOracleTest.prompt(model.tokenizer(), spec.seed());
            List<NativeLlamaCpp.Step> theirs = NativeLlamaCpp.run(path, prompt, LlamaCppOracleTest.GREEDY, TOP);
            double tol = LlamaCppOracleTest.tolerance(spec.type());
            double worst = 0;
            double minMargin = Double.POSITIVE_INFINITY;
            for (String backendName : List.of("scalar", "vector")) {
                var c = model.config();
                try (Backend backend = Backends.create(backendName, 2)) {
                    Transformer tf = new Transformer(model, backend);
                    var compressor = Policies.create("full", Map.of()).start(c.nLayers(), c.nHeads(), c.nKvHeads(),
                            c.headDim(), prompt.length, null);
                    float[] logits = tf.prefill(prompt, compressor, LlamaCppOracleTest.GREEDY, KvCache.Dtype.F32);
                    for (int step = 0; ; step++) {
                        NativeLlamaCpp.Step s = theirs.get(step);
                        String where = spec.fileName() + ", " + backendName + " backend, after " + (prompt.length + step)
                                + " tokens";
                        double[] ours = logSoftmax(logits);
                        int top = LlamaCppOracleTest.argmax(logits);
                        for (int r = 0; r < TOP; r++) {
                            int t = s.tokens()[r];
                            double diff = Math.abs(ours[t] - s.logProbs()[r]);
                            assertTrue(diff <= tol, where + ": log p(" + t + ") is " + ours[t] + ", llama.cpp's "
                                    + s.logProbs()[r] + " (|Δ| " + diff + " > " + tol + ")");
                            worst = Math.max(worst, diff);
                        }
                        assertEquals(s.argmax(), top, where + ": greedy token (our margin "
                                + LlamaCppOracleTest.margin(logits, top) + ")");
                        minMargin = Math.min(minMargin, LlamaCppOracleTest.margin(logits, top));
                        if (step == LlamaCppOracleTest.GREEDY) break;
                        logits = tf.decode(top);
                    }
                }
            }
            System.out.printf("native oracle %s: max |Δ top-%d log-prob| = %.2e (tolerance %.1e) over %d steps; "
                    + "smallest greedy margin %.3f%n", spec.fileName(), TOP, worst, tol, LlamaCppOracleTest.GREEDY + 1,
                    minMargin);
        }
    }

    static double[] logSoftmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float x : logits) max = Math.max(max, x);
        double sum = 0;
        for (float x : logits) sum += Math.exp(x - max);
        double norm = max + Math.log(sum);
        double[] out = new double[logits.length];
        for (int i = 0; i < out.length; i++) out[i] = logits[i] - norm;
        return out;
    }
}
