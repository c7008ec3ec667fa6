package dev.windowkv.experiments.longbench;

import dev.windowkv.engine.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A test tokenizer: one token per space-separated word, ids handed out in order of first sight. */
final class WordTokenizer implements Tokenizer {
    private final Map<String, Integer> ids = new HashMap<>();
    private final List<String> words = new ArrayList<>();

    @Override
    public int[] encode(String text, boolean addBos, boolean parseSpecial) {
        return java.util.Arrays.stream(text.split("\\s+"))
                .filter(w -> !w.isEmpty())
                .mapToInt(w -> ids.computeIfAbsent(w, k -> {
                    words.add(k);
                    return words.size() - 1;
                }))
                .toArray();
    }

    @Override
    public byte[] tokenBytes(int token) {
        return words.get(token).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String decode(int[] tokens) {
        List<String> out = new ArrayList<>();
        for (int t : tokens) {
            out.add(words.get(t));
        }
        return String.join(" ", out);
    }

    @Override
    public int vocabSize() {
        return words.size();
    }

    @Override
    public int bos() {
        return -1;
    }

    @Override
    public int eos() {
        return -1;
    }

    @Override
    public boolean isEndOfGeneration(int token) {
        return false;
    }

    @Override
    public String piece(int token) {
        return words.get(token);
    }
}
