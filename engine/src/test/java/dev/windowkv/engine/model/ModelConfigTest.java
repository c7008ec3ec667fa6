package dev.windowkv.engine.model;

import dev.windowkv.engine.UserError;
import dev.windowkv.engine.gguf.GGUFFile;
import dev.windowkv.engine.gguf.GGUFWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A model's hyper-parameters from its GGUF metadata, and the errors for models this engine cannot run. */
class ModelConfigTest {
    @TempDir
    Path dir;

    /** A TinyLlama-shaped header: 2048 wide, 22 layers, 32 query heads sharing 4 KV heads. */
    static GGUFWriter llama(String arch) {
        return new GGUFWriter().putString("general.architecture", arch)
                .putU32(arch + ".embedding_length", 2048).putU32(arch + ".block_count", 22)
                .putU32(arch + ".attention.head_count", 32).putU32(arch + ".attention.head_count_kv", 4)
                .putU32(arch + ".feed_forward_length", 5632).putU32(arch + ".context_length", 2048)
                .putStringArray("tokenizer.ggml.tokens", new String[]{"<unk>", "<s>", "</s>"});
    }

    ModelConfig config(UnaryOperator<GGUFWriter> edit) {
        Path p = dir.resolve("m.gguf");
        edit.apply(llama("llama")).write(p);
        try (GGUFFile f = GGUFFile.open(p)) {
            return ModelConfig.from(f);
        }
    }

    String error(UnaryOperator<GGUFWriter> edit) {
        return assertThrows(UserError.class, () -> config(edit)).getMessage();
    }

    @Test
    void readsTheHyperParameters() {
        ModelConfig c = config(w -> w);
        assertEquals(Architecture.LLAMA, c.arch());
        assertEquals(22, c.nLayers());
        assertEquals(64, c.headDim(), "2048 / 32 heads");
        assertEquals(2048, c.qDim());
        assertEquals(256, c.kvDim(), "4 KV heads of 64");
        assertEquals(3, c.vocabSize());
        assertEquals(2048, c.contextLength());
        assertEquals(10000f, c.ropeBase(), "the default when the file has none");
    }

    @Test
    void anUnsupportedArchitecture() {
        Path p = dir.resolve("mamba.gguf");
        llama("mamba").write(p);
        try (GGUFFile f = GGUFFile.open(p)) {
            String m = assertThrows(UserError.class, () -> ModelConfig.from(f)).getMessage();
            assertTrue(m.startsWith("unsupported model architecture 'mamba'"), m);
            assertTrue(m.contains("llama") && m.contains("qwen2") && m.contains("qwen3") && m.contains("Mistral"),
                    "says what does run: " + m);
        }
    }

    @Test
    void queryHeadsNotAMultipleOfKvHeads() {
        assertTrue(error(w -> w.putU32("llama.attention.head_count_kv", 5)).contains("32 query heads is not a multiple of 5 KV heads"));
    }

    @Test
    void partialRope() {
        assertTrue(error(w -> w.putU32("llama.rope.dimension_count", 32)).contains("partial RoPE (32 of 64 dims)"));
    }

    @Test
    void anUnsupportedRopeScaling() {
        assertTrue(error(w -> w.putString("llama.rope.scaling.type", "yarn")).contains("RoPE scaling 'yarn' is not supported"));
    }

    @Test
    void qwen3HeadsWiderThanDimOverHeads() {
        Path p = dir.resolve("qwen3.gguf");
        llama("qwen3").putU32("qwen3.attention.key_length", 128).putU32("qwen3.attention.value_length", 128).write(p);
        try (GGUFFile f = GGUFFile.open(p)) {
            ModelConfig c = ModelConfig.from(f);
            assertEquals(Architecture.QWEN3, c.arch());
            assertEquals(128, c.headDim(), "key_length, not 2048 / 32");
            assertEquals(4096, c.qDim());
            assertEquals(512, c.kvDim());
        }
    }

    @Test
    void valueHeadsOfAnotherWidth() {
        assertTrue(error(w -> w.putU32("llama.attention.value_length", 32))
                .contains("value heads of 32 dims differ from key heads of 64"));
    }

    @Test
    void aSlidingWindowBoundsTheSequence() {
        ModelConfig full = config(w -> w);
        assertEquals(0, full.slidingWindow());
        assertEquals(2048, full.maxSequence());
        ModelConfig mistral = config(w -> w.putU32("llama.context_length", 32768).putU32("llama.attention.sliding_window", 4096));
        assertEquals(4096, mistral.slidingWindow());
        assertEquals(4096, mistral.maxSequence(), "attending over all earlier tokens equals the window only within it");
        assertEquals(2048, config(w -> w.putU32("llama.attention.sliding_window", 4096)).maxSequence(), "the context is shorter");
    }

    @Test
    void aMissingHyperParameter() {
        Path p = dir.resolve("m.gguf");
        new GGUFWriter().putString("general.architecture", "llama").putU32("llama.block_count", 2).write(p);
        try (GGUFFile f = GGUFFile.open(p)) {
            assertTrue(assertThrows(UserError.class, () -> ModelConfig.from(f)).getMessage()
                    .contains("lacks the metadata key 'llama.embedding_length'"));
        }
    }
}
