package dev.windowkv.engine.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The token table of a GGUF vocabulary ({@code tokenizer.ggml.tokens}, {@code .token_type}, {@code .scores})
 * with the special ids and flags that steer encoding, shared by both tokenizer kinds.
 */
final class Vocabulary {
    /** Token texts that end a turn, as llama.cpp recognises them; they are made CONTROL if the file forgot to. */
    static final Set<String> END_OF_GENERATION_TEXTS = Set.of(
            "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<end_of_turn>", "<|endoftext|>",
            "<|eom_id|>", "<EOT>", "_<EOT>", "<|end_of_text|>", "<end_of_utterance>", "<|fim_pad|>",
            "<|file_sep|>", "<|repo_name|>", "<|fim_repo|>", "</s>", "<eos>");

    /** The texts llama.cpp takes for the end-of-turn token when the GGUF names none. */
    static final List<String> END_OF_TURN_TEXTS = List.of(
            "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>", "<EOT>", "_<EOT>");

    final String[] texts;
    final int[] types;
    final float[] scores;
    /**
     * Text to id, open-addressed over {@link #texts} (slot = id + 1, 0 empty): a {@code HashMap} of a
     * 128k vocabulary held 7 MiB of nodes and boxed ids, this 1 MiB. Where two tokens share a text
     * the later id wins, as in llama.cpp.
     */
    private final int[] idTable;
    /** CONTROL, USER_DEFINED and UNKNOWN tokens, longest text (in UTF-8 bytes) first: the order they are split out. */
    final int[] specialsByLength;
    final boolean[] endOfGeneration;

    int bos = -1;
    int eos = -1;
    int eot = -1;
    int unk = -1;
    boolean addBos;
    boolean addEos;
    boolean addSpacePrefix;
    /** llama.cpp's detokenizer tidies " ," and " 's" for most BPE vocabularies (clean_spaces). */
    boolean cleanSpaces;

    Vocabulary(String[] texts, int[] types, float[] scores) {
        int n = texts.length;
        this.texts = texts.clone();
        this.types = new int[n];
        this.scores = scores != null ? scores : new float[n];
        this.idTable = new int[tableSlots(n)];
        for (int i = 0; i < n; i++) {
            if (this.texts[i].isEmpty()) this.texts[i] = "[EMPTY_" + i + "]";
            this.types[i] = types != null ? types[i] : TokenType.NORMAL;
            idTable[slot(this.texts[i])] = i + 1;
        }
        this.endOfGeneration = new boolean[n];
        for (String t : END_OF_GENERATION_TEXTS) {
            int id = id(t);
            if (id >= 0) {
                endOfGeneration[id] = true;
                if (this.types[id] != TokenType.CONTROL) this.types[id] = TokenType.CONTROL;
            }
        }
        List<Integer> specials = new ArrayList<>();
        int[] byteLength = new int[n];
        for (int i = 0; i < n; i++) {
            int type = this.types[i];
            if (type == TokenType.CONTROL || type == TokenType.USER_DEFINED || type == TokenType.UNKNOWN) {
                specials.add(i);
                byteLength[i] = this.texts[i].getBytes(StandardCharsets.UTF_8).length;
            }
        }
        specials.sort(Comparator.<Integer>comparingInt(i -> -byteLength[i]).thenComparingInt(i -> i));
        this.specialsByLength = specials.stream().mapToInt(Integer::intValue).toArray();
    }

    int size() {
        return texts.length;
    }

    /** Slots of an open-addressed table for {@code entries}: a power of two, at most three-quarters full. */
    static int tableSlots(int entries) {
        return Integer.highestOneBit(Math.max(2, entries / 3 * 4 + 3)) << 1;
    }

    /** -1 when absent. */
    int id(String text) {
        return idTable[slot(text)] - 1;
    }

    /** The slot of {@code text}'s id, or the empty slot where it would go. */
    private int slot(String text) {
        int mask = idTable.length - 1;
        int slot = (text.hashCode() * 0x9E3779B9) >>> 7 & mask;
        while (idTable[slot] != 0 && !texts[idTable[slot] - 1].equals(text)) slot = (slot + 1) & mask;
        return slot;
    }

    boolean valid(int token) {
        return token >= 0 && token < texts.length;
    }

    /** Adds the end-of-generation ids known only after the special ids are read. */
    void markEndOfGeneration(int... tokens) {
        for (int t : tokens) if (valid(t)) endOfGeneration[t] = true;
    }

    /** A piece of the input: raw text still to tokenize, or a special token already recognised. */
    sealed interface Fragment permits Text, Special {}

    record Text(String text) implements Fragment {}

    record Special(int token) implements Fragment {}

    /**
     * Splits special-token texts out of {@code text}, longest token first, as llama.cpp's
     * tokenizer_st_partition does: USER_DEFINED tokens always, CONTROL and UNKNOWN only with parseSpecial.
     */
    List<Fragment> partition(String text, boolean parseSpecial) {
        List<Fragment> fragments = new ArrayList<>();
        if (text.isEmpty()) return fragments;
        fragments.add(new Text(text));
        // most special tokens share a prefix ("<|", "[P"): one search for it spares a scan per token
        Map<String, Boolean> prefixInText = new HashMap<>();
        for (int token : specialsByLength) {
            if (!parseSpecial && types[token] != TokenType.USER_DEFINED) continue;
            String special = texts[token];
            String prefix = special.substring(0, Math.min(2, special.length()));
            if (!prefixInText.computeIfAbsent(prefix, text::contains)) continue;
            List<Fragment> next = null;
            for (int f = 0; f < fragments.size(); f++) {
                Fragment fragment = fragments.get(f);
                if (fragment instanceof Text(String raw) && raw.contains(special)) {
                    if (next == null) next = new ArrayList<>(fragments.subList(0, f));
                    int from = 0;
                    for (int at = raw.indexOf(special); at >= 0; at = raw.indexOf(special, from)) {
                        if (at > from) next.add(new Text(raw.substring(from, at)));
                        next.add(new Special(token));
                        from = at + special.length();
                    }
                    if (from < raw.length()) next.add(new Text(raw.substring(from)));
                } else if (next != null) {
                    next.add(fragment);
                }
            }
            if (next != null) fragments = next;
        }
        return fragments;
    }

    @Override
    public String toString() {
        return "Vocabulary[" + texts.length + " tokens, bos=" + bos + ", eos=" + eos + ", specials="
                + Arrays.toString(Arrays.copyOf(specialsByLength, Math.min(5, specialsByLength.length))) + "...]";
    }
}
