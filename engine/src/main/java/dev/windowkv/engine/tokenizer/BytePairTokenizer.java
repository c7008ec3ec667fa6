package dev.windowkv.engine.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * GPT-2-style byte-level BPE ({@code tokenizer.ggml.model = gpt2}): the text is split into words by a
 * {@link PreTokenizer}, each word's UTF-8 bytes are written as {@link ByteLevel} characters, and inside
 * each word adjacent symbols are merged lowest merge rank first ({@code tokenizer.ggml.merges}, rank =
 * line number), leftmost first on ties. Words repeat a lot in long prompts, so each word's ids are cached.
 */
public final class BytePairTokenizer extends VocabularyTokenizer {
    /** Cached words are short; a cap keeps the cache from growing without bound on odd inputs. */
    private static final int CACHE_LIMIT = 1 << 18;
    private static final int CACHED_WORD_MAX_CHARS = 64;

    private final PreTokenizer preTokenizer;
    private final MergeRanks ranks;
    /** Llama 3 takes a word that is itself a token as that token, without merging (ignore_merges). */
    private final boolean ignoreMerges;
    private final Map<String, int[]> wordCache = new ConcurrentHashMap<>();

    BytePairTokenizer(Vocabulary vocab, String[] merges, PreTokenizer preTokenizer, boolean ignoreMerges) {
        super(vocab);
        this.preTokenizer = preTokenizer;
        this.ignoreMerges = ignoreMerges;
        this.ranks = new MergeRanks(merges, vocab);
    }

    public PreTokenizer preTokenizer() {
        return preTokenizer;
    }

    @Override
    void encodeText(String text, boolean afterSpecial, IntList out) {
        int[] cps = text.codePoints().toArray();
        int start = 0;
        for (int end : preTokenizer.split(cps)) {
            String word = ByteLevel.encode(new String(cps, start, end - start).getBytes(StandardCharsets.UTF_8));
            start = end;
            if (word.length() > CACHED_WORD_MAX_CHARS) {
                out.addAll(encodeWord(word));
                continue;
            }
            int[] ids = wordCache.get(word);
            if (ids == null) {
                ids = encodeWord(word);
                if (wordCache.size() < CACHE_LIMIT) wordCache.put(word, ids);
            }
            out.addAll(ids);
        }
    }

    /** Candidate merge of two adjacent symbols into token {@code merged} (-1: not a token); stale once either has changed. */
    private record Bigram(int left, int right, int rank, int length, int merged) {}

    /** Merges one byte-level word into tokens; each character of {@code word} stands for one byte. */
    int[] encodeWord(String word) {
        if (ignoreMerges) {
            int id = vocab.id(word);
            if (id >= 0) return new int[] {id};
        }
        int n = word.length();
        int[] len = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        int[] id = new int[n]; // each symbol's token, -1 where it is not one
        for (int i = 0; i < n; i++) {
            len[i] = 1;
            id[i] = vocab.id(word.substring(i, i + 1));
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        PriorityQueue<Bigram> queue = new PriorityQueue<>((a, b) ->
                a.rank != b.rank ? Integer.compare(a.rank, b.rank) : Integer.compare(a.left, b.left));
        for (int i = 1; i < n; i++) addBigram(word, i - 1, i, len, id, queue);
        while (!queue.isEmpty()) {
            Bigram b = queue.poll();
            // both symbols still there and unchanged: symbols start at fixed offsets and only grow
            if (len[b.left] == 0 || len[b.right] == 0 || len[b.left] + len[b.right] != b.length) continue;
            id[b.left] = b.merged;
            len[b.left] += len[b.right];
            len[b.right] = 0;
            next[b.left] = next[b.right];
            if (next[b.right] >= 0) prev[next[b.right]] = b.left;
            addBigram(word, prev[b.left], b.left, len, id, queue);
            addBigram(word, b.left, next[b.left], len, id, queue);
        }
        IntList ids = new IntList(4);
        for (int i = 0; i != -1 && i < n; i = next[i]) {
            if (id[i] >= 0) {
                ids.add(id[i]);
                continue;
            }
            String symbol = word.substring(i, i + len[i]);
            // llama.cpp's fallback: single-byte tokens for the symbol's UTF-8 bytes, where the vocabulary has them
            for (byte b : symbol.getBytes(StandardCharsets.UTF_8)) {
                if (b >= 0) {
                    int byteId = vocab.id(String.valueOf((char) b));
                    if (byteId >= 0) ids.add(byteId);
                }
            }
        }
        return ids.toArray();
    }

    private void addBigram(String word, int left, int right, int[] len, int[] id, PriorityQueue<Bigram> queue) {
        if (left < 0 || right < 0) return;
        int length = len[left] + len[right];
        if (id[left] >= 0 && id[right] >= 0) {
            int slot = ranks.slot(id[left], id[right]);
            if (slot >= 0) queue.add(new Bigram(left, right, ranks.rank(slot), length, ranks.merged(slot)));
        } else if (ranks.hasTextMerges()) {
            int rank = ranks.rankOfTexts(word.substring(left, left + len[left]), word.substring(right, right + len[right]));
            if (rank >= 0) queue.add(new Bigram(left, right, rank, length, vocab.id(word.substring(left, left + length))));
        }
    }

    /** A NORMAL token's characters mapped back to bytes. */
    @Override
    byte[] normalPiece(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            int b = ByteLevel.byteOf(cp);
            if (b >= 0) {
                out.write(b);
            } else {
                // as llama.cpp: a character outside the byte map is shown, not dropped
                byte[] raw = ("[UNK_BYTE_0x" + hex(Character.toString(cp)) + text + "]").getBytes(StandardCharsets.UTF_8);
                out.write(raw, 0, raw.length);
            }
        }
        return out.toByteArray();
    }

    private static String hex(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) sb.append(String.format("%02x", b & 0xFF));
        return sb.toString();
    }
}
