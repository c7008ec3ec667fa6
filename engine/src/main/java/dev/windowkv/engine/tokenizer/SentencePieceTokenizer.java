package dev.windowkv.engine.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.PriorityQueue;

/**
 * SentencePiece BPE ({@code tokenizer.ggml.model = llama}) as llama.cpp's llm_tokenizer_spm runs it:
 * spaces become {@code ▁}, a space is put before the text (add_space_prefix) at the start and after each
 * special token, and adjacent symbols merge highest token score first ({@code tokenizer.ggml.scores}),
 * leftmost first on ties. A symbol left that is no token falls back to its bytes as {@code <0xXX>}.
 */
public final class SentencePieceTokenizer extends VocabularyTokenizer {
    static final String SPACE = "\u2581";

    SentencePieceTokenizer(Vocabulary vocab) {
        super(vocab);
    }

    /** Candidate merge of two adjacent symbols; stale once either has changed. */
    private record Bigram(int left, int right, float score, int length) {}

    @Override
    void encodeText(String raw, boolean afterSpecial, IntList out) {
        String text = (vocab.addSpacePrefix && afterSpecial ? " " : "") + raw;
        text = text.replace(" ", SPACE);
        // one symbol per code point; offsets and lengths in chars of text
        int n = text.codePointCount(0, text.length());
        int[] start = new int[n];
        int[] len = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0, at = 0; i < n; i++) {
            int chars = Character.charCount(text.codePointAt(at));
            start[i] = at;
            len[i] = chars;
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
            at += chars;
        }
        PriorityQueue<Bigram> queue = new PriorityQueue<>((a, b) ->
                a.score != b.score ? Float.compare(b.score, a.score) : Integer.compare(a.left, b.left));
        for (int i = 1; i < n; i++) addBigram(text, i - 1, i, start, len, queue);
        while (!queue.isEmpty()) {
            Bigram b = queue.poll();
            if (len[b.left] == 0 || len[b.right] == 0 || len[b.left] + len[b.right] != b.length) continue;
            len[b.left] += len[b.right];
            len[b.right] = 0;
            next[b.left] = next[b.right];
            if (next[b.right] >= 0) prev[next[b.right]] = b.left;
            addBigram(text, prev[b.left], b.left, start, len, queue);
            addBigram(text, b.left, next[b.left], start, len, queue);
        }
        for (int i = 0; i != -1 && i < n; i = next[i]) {
            String symbol = text.substring(start[i], start[i] + len[i]);
            int id = vocab.id(symbol);
            if (id >= 0) {
                out.add(id);
                continue;
            }
            for (byte b : symbol.getBytes(StandardCharsets.UTF_8)) out.add(byteToken(b & 0xFF));
        }
    }

    private void addBigram(String text, int left, int right, int[] start, int[] len, PriorityQueue<Bigram> queue) {
        if (left < 0 || right < 0) return;
        int id = vocab.id(text.substring(start[left], start[right] + len[right]));
        if (id >= 0) queue.add(new Bigram(left, right, vocab.scores[id], len[left] + len[right]));
    }

    /** The byte-fallback token {@code <0xXX>}, else a token that is the byte itself, else UNK. */
    private int byteToken(int b) {
        int id = vocab.id(String.format("<0x%02X>", b));
        if (id < 0 && b < 0x80) id = vocab.id(String.valueOf((char) b));
        return id >= 0 ? id : vocab.unk;
    }

    /** A NORMAL token with {@code ▁} turned back into spaces. */
    @Override
    byte[] normalPiece(String text) {
        return text.replace(SPACE, " ").getBytes(StandardCharsets.UTF_8);
    }
}
