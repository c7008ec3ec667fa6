package dev.windowkv.engine.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Learns a small byte-level BPE vocabulary (GPT-2 style, Llama-3 pre-tokenizer) from a corpus, for
 * models the project makes itself. Every number of one to three digits is a single token, so a
 * number splits into the same chunks as Llama 3 splits it, and word merges are learned by the
 * usual most-frequent-pair rule (ties broken by the pair's text, so training is deterministic).
 */
public final class BpeTrainer {
    /** The vocabulary in GGUF's terms: tokens (byte-level text), token types, merges ("left right"). */
    public record Vocab(String[] tokens, int[] tokenTypes, String[] merges, int bos, int eos) {}

    public static final String BOS = "<|begin_of_text|>";
    public static final String EOS = "<|end_of_text|>";

    private BpeTrainer() {}

    public static Vocab train(List<String> corpus, int wordMerges) {
        List<String> tokens = new ArrayList<>();
        List<String> merges = new ArrayList<>();
        Map<String, Integer> ids = new HashMap<>();
        for (int b = 0; b < 256; b++) add(tokens, ids, ByteLevel.encode(new byte[]{(byte) b}));

        // Digits: all 2-digit merges rank before all 3-digit ones; both 3-digit forms exist, so
        // whichever pair of a 3-digit chunk merges first, the chunk still ends as one token.
        for (int a = 0; a < 10; a++) for (int b = 0; b < 10; b++) {
            merges.add(a + " " + b);
            add(tokens, ids, "" + a + b);
        }
        for (int a = 0; a < 10; a++) for (int b = 0; b < 10; b++) for (int c = 0; c < 10; c++) {
            merges.add("" + a + b + " " + c);
            merges.add(a + " " + b + c);
            add(tokens, ids, "" + a + b + c);
        }

        // Word frequencies over the pre-tokenizer's words; digits are already handled.
        Map<String, Integer> freq = new TreeMap<>();
        for (String text : corpus) {
            int[] cps = text.codePoints().toArray();
            int[] ends = PreTokenizer.LLAMA3.split(cps);
            int start = 0;
            for (int end : ends) {
                String word = new String(cps, start, end - start);
                start = end;
                if (word.chars().anyMatch(Character::isDigit)) continue;
                freq.merge(ByteLevel.encode(word.getBytes(StandardCharsets.UTF_8)), 1, Integer::sum);
            }
        }
        Map<List<String>, Integer> words = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : freq.entrySet()) {
            List<String> symbols = new ArrayList<>();
            e.getKey().codePoints().forEach(cp -> symbols.add(new String(Character.toChars(cp))));
            words.put(symbols, e.getValue());
        }
        for (int m = 0; m < wordMerges; m++) {
            Map<String, Integer> pairs = new TreeMap<>();
            for (Map.Entry<List<String>, Integer> e : words.entrySet()) {
                List<String> s = e.getKey();
                for (int i = 0; i + 1 < s.size(); i++) pairs.merge(s.get(i) + " " + s.get(i + 1), e.getValue(), Integer::sum);
            }
            String best = null;
            int bestCount = 1;
            for (Map.Entry<String, Integer> p : pairs.entrySet()) {
                if (p.getValue() > bestCount) {
                    best = p.getKey();
                    bestCount = p.getValue();
                }
            }
            if (best == null) break; // nothing occurs twice any more
            int sp = best.indexOf(' ');
            String left = best.substring(0, sp);
            String right = best.substring(sp + 1);
            merges.add(best);
            add(tokens, ids, left + right);
            Map<List<String>, Integer> next = new LinkedHashMap<>();
            for (Map.Entry<List<String>, Integer> e : words.entrySet()) {
                List<String> s = e.getKey();
                List<String> t = new ArrayList<>(s.size());
                for (int i = 0; i < s.size(); i++) {
                    if (i + 1 < s.size() && s.get(i).equals(left) && s.get(i + 1).equals(right)) {
                        t.add(left + right);
                        i++;
                    } else {
                        t.add(s.get(i));
                    }
                }
                next.merge(t, e.getValue(), Integer::sum);
            }
            words = next;
        }
        int bos = tokens.size();
        add(tokens, ids, BOS);
        int eos = tokens.size();
        add(tokens, ids, EOS);
        int[] types = new int[tokens.size()];
        for (int i = 0; i < types.length; i++) types[i] = i >= bos ? TokenType.CONTROL : TokenType.NORMAL;
        return new Vocab(tokens.toArray(String[]::new), types, merges.toArray(String[]::new), bos, eos);
    }

    private static void add(List<String> tokens, Map<String, Integer> ids, String token) {
        if (ids.putIfAbsent(token, tokens.size()) == null) tokens.add(token);
    }
}
