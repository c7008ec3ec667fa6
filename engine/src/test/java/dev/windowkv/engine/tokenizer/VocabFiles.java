package dev.windowkv.engine.tokenizer;

import dev.windowkv.engine.gguf.GGUFFile;
import dev.windowkv.engine.testutil.LlamaCppSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Tokenizers of llama.cpp's vocabulary-only GGUFs, loaded once per test run. */
final class VocabFiles {
    private static final Map<String, Tokenizer> LOADED = new ConcurrentHashMap<>();

    private VocabFiles() {}

    /** {@code llama-bpe} (Llama 3), {@code qwen2}, {@code llama-spm} (Llama 2), ... */
    static Tokenizer tokenizer(String name) {
        return LOADED.computeIfAbsent(name, n -> {
            try (GGUFFile gguf = GGUFFile.open(LlamaCppSource.vocab(n))) {
                return Tokenizers.load(gguf);
            }
        });
    }
}
