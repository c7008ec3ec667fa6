package dev.windowkv.experiments.tasks;

import dev.windowkv.engine.tokenizer.Tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A deterministic stand-in tokenizer for tests: one token per run of letters (with apostrophes),
 * per digit and per other non-space character; spaces are dropped. Ids are handed out on first sight.
 */
final class WordTokenizer implements Tokenizer {
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z']+|\\d|[^\\sA-Za-z\\d']");

    private final Map<String, Integer> ids = new HashMap<>();
    private final List<String> pieces = new ArrayList<>();

    @Override
    public int[] encode(String text, boolean addBos, boolean parseSpecial) {
        List<Integer> out = new ArrayList<>();
        Matcher m = TOKEN.matcher(text);
        while (m.find()) {
            out.add(ids.computeIfAbsent(m.group(), piece -> {
                pieces.add(piece);
                return pieces.size() - 1;
            }));
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public byte[] tokenBytes(int token) {
        return pieces.get(token).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String decode(int[] tokens) {
        StringBuilder s = new StringBuilder();
        for (int t : tokens) {
            if (!s.isEmpty()) {
                s.append(' ');
            }
            s.append(pieces.get(t));
        }
        return s.toString();
    }

    @Override
    public int vocabSize() {
        return pieces.size();
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
        return pieces.get(token);
    }
}
