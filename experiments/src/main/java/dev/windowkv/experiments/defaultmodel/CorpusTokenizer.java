package dev.windowkv.experiments.defaultmodel;

import dev.windowkv.engine.tokenizer.Tokenizer;

import java.nio.charset.StandardCharsets;

/**
 * Counts words and punctuation marks as tokens. Only used to size the prompts the default model's
 * vocabulary is learned from, before that vocabulary exists; lengths need not be exact for that.
 */
final class CorpusTokenizer implements Tokenizer {
    @Override
    public int[] encode(String text, boolean addBos, boolean parseSpecial) {
        int n = 0;
        boolean inWord = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isLetter(c)) {
                if (!inWord) n++;
                inWord = true;
            } else {
                inWord = false;
                if (!Character.isWhitespace(c)) n++;
            }
        }
        return new int[n];
    }

    @Override public byte[] tokenBytes(int token) { return new byte[0]; }
    @Override public String decode(int[] tokens) { return new String(new byte[0], StandardCharsets.UTF_8); }
    @Override public int vocabSize() { return 1; }
    @Override public int bos() { return -1; }
    @Override public int eos() { return -1; }
    @Override public boolean isEndOfGeneration(int token) { return false; }
    @Override public String piece(int token) { return ""; }
}
