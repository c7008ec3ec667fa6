package dev.windowkv.engine.oracle;

import dev.windowkv.engine.Generator;
import dev.windowkv.engine.backend.Backend;
import dev.windowkv.engine.backend.Backends;
import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.engine.kvcache.KvCache;
import dev.windowkv.engine.kvcache.Policies;
import dev.windowkv.engine.model.Model;
import dev.windowkv.engine.model.Transformer;
import dev.windowkv.engine.testutil.RandomModels;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Whole generations agree across our own backends, and FullKV decoding equals recomputing from scratch. */
class GenerationAgreementTest {
    static final int NEW_TOKENS = 16;

    @Test
    void greedyGenerationIsIdenticalOnScalarThreadsAndVector() {
        RandomModels.Spec spec = RandomModels.llama(GGMLType.Q4_0);
        try (Model model = Model.load(RandomModels.file(spec))) {
            int[] prompt = LlamaCppOracleTest.prompt(model.tokenizer(), spec.seed());
            Generator.Result reference = generate(model, "scalar", prompt);
            assertEquals(NEW_TOKENS, reference.tokens().length, "the random model should not stop early");
            for (String name : new String[] {"threads", "vector"}) {
                Generator.Result other = generate(model, name, prompt);
                assertArrayEquals(reference.tokens(), other.tokens(), name + " tokens");
                assertEquals(reference.text(), other.text(), name + " text");
            }
        }
    }

    private static Generator.Result generate(Model model, String backendName, int[] prompt) {
        try (Backend backend = Backends.create(backendName, 2)) {
            return new Generator(model, backend).generate(prompt, Generator.Settings.greedy(NEW_TOKENS),
                    Policies.create("full", Map.of()), null, null);
        }
    }

    /**
     * Decoding over the FullKV cache gives the logits of a plain forward pass over the whole sequence
     * (no cache at all): the decode kernels see the same keys in the same order, so on the scalar
     * backend they agree to rounding (1e-5 of the largest logit; in practice bit for bit).
     */
    @Test
    void fullKvDecodeEqualsPlainForwardPass() {
        RandomModels.Spec spec = RandomModels.qwen2(GGMLType.Q8_0);
        try (Model model = Model.load(RandomModels.file(spec)); Backend backend = Backends.create("scalar", 1)) {
            var c = model.config();
            int[] seq = Arrays.copyOf(LlamaCppOracleTest.prompt(model.tokenizer(), spec.seed()),
                    LlamaCppOracleTest.PROMPT + 8);
            Transformer cached = new Transformer(model, backend);
            var compressor = Policies.create("full", Map.of()).start(c.nLayers(), c.nHeads(), c.nKvHeads(), c.headDim(),
                    LlamaCppOracleTest.PROMPT, null);
            float[] logits = cached.prefill(Arrays.copyOf(seq, LlamaCppOracleTest.PROMPT), compressor, 8, KvCache.Dtype.F32);
            for (int n = LlamaCppOracleTest.PROMPT; n < seq.length; n++) {
                float[] plain = new Transformer(model, backend).prefill(Arrays.copyOf(seq, n), (l, q, k, v) -> {});
                float max = 0;
                for (float x : plain) max = Math.max(max, Math.abs(x));
                assertArrayEquals(plain, logits, 1e-5f * max, "logits after " + n + " tokens");
                seq[n] = LlamaCppOracleTest.argmax(logits);
                if (n + 1 < seq.length) logits = cached.decode(seq[n]);
            }
        }
    }
}
