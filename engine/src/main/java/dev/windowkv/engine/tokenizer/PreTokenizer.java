package dev.windowkv.engine.tokenizer;

import java.util.Arrays;

/**
 * Splits text into the words that byte-level BPE merges within, as the {@code tokenizer.ggml.pre}
 * regex does. Hand-written scanners over code points, one per regex family, following llama.cpp's
 * own (unicode.cpp), so the splits match llama.cpp exactly, Unicode classes included:
 * {@code \p{L}} is any letter category, {@code \p{N}} any number category and {@code \s} the
 * Unicode White_Space set.
 */
public enum PreTokenizer {
    /** {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+} */
    GPT2,
    /**
     * Llama 3: {@code (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+}
     */
    LLAMA3,
    /** Qwen 2: as {@link #LLAMA3} but digits one at a time ({@code \p{N}}). */
    QWEN2;

    /** Names of {@code tokenizer.ggml.pre} that llama.cpp splits with each family. */
    public static PreTokenizer forName(String pre) {
        return switch (pre) {
            case "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2",
                 "jina-v5-nano", "dbrx", "smaug-bpe" -> LLAMA3;
            case "qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "megrez", "stablelm2", "hunyuan", "solar-open",
                 "grok-2" -> QWEN2;
            case "gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "a.x-4.0", "mellum",
                 "modern-bert", "jina-v1-en", "jina-v2-code", "roberta-bpe", "exaone4", "mpt", "olmo", "jais",
                 "trillion" -> GPT2;
            default -> null;
        };
    }

    /** The end offset (exclusive, in code points) of each word, in order; together they cover the input. */
    public int[] split(int[] cps) {
        Words words = new Words(cps.length);
        if (this == GPT2) splitGpt2(cps, words);
        else splitLlama3(cps, words, this == LLAMA3 ? 3 : 1);
        return words.ends();
    }

    private static void splitGpt2(int[] cps, Words words) {
        int n = cps.length;
        int pos = 0;
        while (pos < n) {
            int cp = cps[pos];
            if (cp == '\'' && pos + 1 < n) {
                int next = cps[pos + 1];
                if (next == 's' || next == 't' || next == 'm' || next == 'd') {
                    pos = words.end(pos + 2);
                    continue;
                }
                if (pos + 2 < n) {
                    int next2 = cps[pos + 2];
                    if ((next == 'r' && next2 == 'e') || (next == 'v' && next2 == 'e') || (next == 'l' && next2 == 'l')) {
                        pos = words.end(pos + 3);
                        continue;
                    }
                }
            }
            // the optional leading space of " ?\p{L}+", " ?\p{N}+" and " ?[^\s\p{L}\p{N}]+"
            int first = cp == ' ' ? pos + 1 : pos;
            if (isLetter(cps, first)) {
                pos = first;
                while (isLetter(cps, pos)) pos++;
                words.end(pos);
                continue;
            }
            if (isNumber(cps, first)) {
                pos = first;
                while (isNumber(cps, pos)) pos++;
                words.end(pos);
                continue;
            }
            if (isOther(cps, first)) {
                pos = first;
                while (isOther(cps, pos)) pos++;
                words.end(pos);
                continue;
            }
            pos = whitespace(cps, pos, words, false);
        }
    }

    private static void splitLlama3(int[] cps, Words words, int maxDigits) {
        int n = cps.length;
        int pos = 0;
        while (pos < n) {
            int cp = cps[pos];
            if (cp == '\'' && pos + 1 < n) {
                int next = Character.toLowerCase(cps[pos + 1]);
                if (next == 's' || next == 't' || next == 'm' || next == 'd') {
                    pos = words.end(pos + 2);
                    continue;
                }
                if (pos + 2 < n) {
                    int next2 = Character.toLowerCase(cps[pos + 2]);
                    if ((next == 'r' && next2 == 'e') || (next == 'v' && next2 == 'e') || (next == 'l' && next2 == 'l')) {
                        pos = words.end(pos + 3);
                        continue;
                    }
                }
            }
            // [^\r\n\p{L}\p{N}]?\p{L}+
            if (!(cp == '\r' || cp == '\n' || isNumber(cps, pos)) && (isLetter(cps, pos) || isLetter(cps, pos + 1))) {
                pos++;
                while (isLetter(cps, pos)) pos++;
                words.end(pos);
                continue;
            }
            // \p{N}{1,maxDigits}
            if (isNumber(cps, pos)) {
                int start = pos;
                while (isNumber(cps, pos) && pos - start < maxDigits) pos++;
                words.end(pos);
                continue;
            }
            // " ?[^\s\p{L}\p{N}]+[\r\n]*"
            int first = cp == ' ' ? pos + 1 : pos;
            if (isOther(cps, first)) {
                pos = first;
                while (isOther(cps, pos)) pos++;
                while (pos < n && (cps[pos] == '\r' || cps[pos] == '\n')) pos++;
                words.end(pos);
                continue;
            }
            pos = whitespace(cps, pos, words, true);
        }
    }

    /**
     * The whitespace alternatives at {@code pos}: {@code \s*[\r\n]+} (Llama 3 family only), then
     * {@code \s+(?!\S)} (a run before a non-space leaves its last space to the next word), then {@code \s+};
     * a character that matches nothing becomes a word of its own. Returns the new position.
     */
    private static int whitespace(int[] cps, int pos, Words words, boolean newlineRuns) {
        int n = cps.length;
        int run = 0;
        int lastNewlineEnd = 0;
        while (pos + run < n && isWhitespace(cps[pos + run])) {
            int c = cps[pos + run];
            if (c == '\r' || c == '\n') lastNewlineEnd = pos + run + 1;
            run++;
        }
        if (newlineRuns && lastNewlineEnd > 0) return words.end(lastNewlineEnd);
        if (run > 1 && pos + run < n) return words.end(pos + run - 1);
        if (run > 0) return words.end(pos + run);
        return words.end(pos + 1);
    }

    private static boolean isLetter(int[] cps, int i) {
        return i < cps.length && Character.isLetter(cps[i]);
    }

    private static boolean isNumber(int[] cps, int i) {
        if (i >= cps.length) return false;
        int type = Character.getType(cps[i]);
        return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER || type == Character.OTHER_NUMBER;
    }

    /** {@code [^\s\p{L}\p{N}]}, false past the end. */
    private static boolean isOther(int[] cps, int i) {
        return i < cps.length && !isWhitespace(cps[i]) && !Character.isLetter(cps[i]) && !isNumber(cps, i);
    }

    /** Unicode's White_Space property (PropList.txt), which is what llama.cpp's {@code \s} means. */
    static boolean isWhitespace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F
                || cp == 0x3000;
    }

    /** Collects word ends. */
    private static final class Words {
        private int[] ends;
        private int count;
        private int last;

        Words(int capacity) {
            ends = new int[Math.max(4, capacity / 3)];
        }

        /** Ends the current word at {@code end} (nothing if empty) and returns {@code end}. */
        int end(int end) {
            if (end > last) {
                if (count == ends.length) ends = Arrays.copyOf(ends, count * 2);
                ends[count++] = end;
                last = end;
            }
            return end;
        }

        int[] ends() {
            return Arrays.copyOf(ends, count);
        }
    }
}
