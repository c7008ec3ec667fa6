package dev.windowkv.engine.model;

import dev.windowkv.engine.Generator;
import dev.windowkv.engine.UserError;
import dev.windowkv.engine.backend.ScalarBackend;
import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.engine.gguf.GGUFWriter;
import dev.windowkv.engine.kvcache.FullKvPolicy;
import dev.windowkv.engine.kvcache.TaskType;
import dev.windowkv.engine.testutil.TinyModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Files whose container is sound but whose metadata and tensors do not make a model. llama.cpp
 * refuses each; this engine used to run several of them with exit 0 (or to fail with an
 * ArithmeticException), and now refuses them in one line.
 */
class ModelValidationTest {
    @TempDir
    Path dir;

    static final String A = "llama.";

    Path tiny(ModelConfig written, boolean tied, Consumer<GGUFWriter> edit) {
        Path p = dir.resolve("tiny.gguf");
        TinyModels.write(p, written, GGMLType.Q8_0, 7, tied, edit);
        return p;
    }

    String refused(ModelConfig written, Consumer<GGUFWriter> edit) {
        Path p = tiny(written, false, edit);
        String m = assertThrows(UserError.class, () -> Model.load(p).close(), "should be refused").getMessage();
        assertEquals(1, m.lines().count(), m);
        assertTrue(m.contains("tiny.gguf"), "names the file: " + m);
        return m;
    }

    String refused(Consumer<GGUFWriter> edit) {
        return refused(TinyModels.LLAMA, edit);
    }

    static void assertMentions(String m, String... parts) {
        for (String part : parts) assertTrue(m.contains(part), "'" + m + "' should mention '" + part + "'");
    }

    static String generate(Path p) {
        try (Model m = Model.load(p)) {
            int[] prompt = m.tokenizer().encode("hello world", true, false);
            return new Generator(m, new ScalarBackend()).generate(prompt, Generator.Settings.greedy(3), new FullKvPolicy(),
                    TaskType.QA, t -> {}).text();
        }
    }

    @Test
    void theTinyModelLoadsAndRunsUntiedAndTied() {
        assertTrue(generate(tiny(TinyModels.LLAMA, false, w -> {})) != null);
        Path tied = tiny(TinyModels.LLAMA, true, w -> {});
        try (Model m = Model.load(tied)) {
            assertTrue(m.tiedEmbeddings());
        }
        generate(tied);
    }

    /** The K and V matrices hold 4 KV heads' rows while the metadata says 2: each row is the right length, the count is not. */
    @Test
    void aTensorWithTheWrongNumberOfRows() {
        ModelConfig fourKvHeads = new ModelConfig(Architecture.LLAMA, 64, 2, 4, 4, 16, 96, TinyModels.LLAMA.vocabSize(),
                512, 1e-5f, 10000f, 1f);
        assertMentions(refused(fourKvHeads, w -> w.putU32(A + "attention.head_count_kv", 2)),
                "tensor 'blk.0.attn_k.weight' has shape [64, 64], but the model's metadata implies [64, 32]");
    }

    /** An embedding with fewer rows than the tokenizer has tokens: encoding a late token would read past it. */
    @Test
    void anEmbeddingShorterThanTheVocabulary() {
        ModelConfig fewer = new ModelConfig(Architecture.LLAMA, 64, 2, 4, 2, 16, 96, 300, 512, 1e-5f, 10000f, 1f);
        assertMentions(refused(fewer, w -> w.putU32(A + "vocab_size", TinyModels.LLAMA.vocabSize())),
                "tensor 'token_embd.weight' has shape [64, 300], but the model's metadata implies [64, "
                        + TinyModels.LLAMA.vocabSize() + "]");
    }

    @Test
    void blockCountZeroOrMoreThanTheFileHolds() {
        assertMentions(refused(w -> w.putU32(A + "block_count", 0)), "llama.block_count = 0 must be at least 1");
        assertMentions(refused(w -> w.putU32(A + "block_count", -1)), "'llama.block_count' = 4294967295 is out of range");
        assertMentions(refused(w -> w.putU32(A + "block_count", Integer.MAX_VALUE)),
                "block_count 2147483647 but the file has only");
        assertMentions(refused(w -> w.putU32(A + "block_count", 3)), "has no tensor 'blk.2.attn_norm.weight'");
        assertMentions(refused(w -> w.putU32(A + "block_count", 1)), "unexpected tensor 'blk.1.attn_norm.weight'");
    }

    @Test
    void headCountZero() {
        assertMentions(refused(w -> w.putU32(A + "attention.head_count", 0)), "llama.attention.head_count = 0 must be at least 1");
        assertMentions(refused(w -> w.putU32(A + "attention.head_count_kv", 0)), "head_count_kv = 0 must be at least 1");
    }

    @Test
    void anRmsEpsilonThatIsNotAFinitePositiveNumber() {
        for (float eps : new float[]{Float.NaN, Float.POSITIVE_INFINITY, 0f, -1e-5f}) {
            assertMentions(refused(w -> w.putF32(A + "attention.layer_norm_rms_epsilon", eps)),
                    "llama.attention.layer_norm_rms_epsilon = " + eps + " must be a finite number above 0");
        }
        assertMentions(refused(w -> w.putF32(A + "rope.freq_base", Float.NaN)), "llama.rope.freq_base = NaN");
    }

    @Test
    void headSizesThatDoNotFit() {
        assertMentions(refused(w -> w.putU32(A + "attention.value_length", 8)), "value heads of 8 dims differ from key heads of 16");
        assertMentions(refused(w -> w.putU32(A + "attention.key_length", 15).putU32(A + "rope.dimension_count", 15)),
                "head size 15 is odd");
    }

    @Test
    void aTensorTheArchitectureDoesNotUse() {
        assertMentions(refused(w -> w.addTensor("blk.0.attn_q_norm.weight", new long[]{16}, GGMLType.F32, new byte[64])),
                "unexpected tensor 'blk.0.attn_q_norm.weight' for a llama model with 2 blocks");
    }

    @Test
    void aNormOfAMatrixType() {
        ModelConfig c = TinyModels.LLAMA;
        assertMentions(refused(w -> w.addTensor("rope_freqs.weight", new long[]{c.headDim() / 2}, GGMLType.F16,
                        new byte[c.headDim()])), "tensor 'rope_freqs.weight' has type F16, but it must be F32");
    }

    @Test
    void tokenArraysOfTheWrongLength() {
        assertMentions(refused(w -> w.putI32Array("tokenizer.ggml.token_type", new int[]{1, 1, 1})),
                "tokenizer.ggml.token_type has 3 entries for " + TinyModels.LLAMA.vocabSize() + " tokens");
        assertMentions(refused(w -> w.putF32Array("tokenizer.ggml.scores", new float[]{0})),
                "tokenizer.ggml.scores has 1 entries");
    }
}
