package dev.windowkv.experiments.tasks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * An endless, seeded stream of filler sentences, cut to a word count. The first n words are the
 * same whatever n is, so the haystack only grows at its end while a length is being fitted.
 */
final class HaystackStream {
    private static final int NOISE_MIN_WORDS = 6;
    private static final int NOISE_MAX_WORDS = 14;

    private final Haystack kind;
    private final Random noise;
    private final int proseOffset;
    private final List<String[]> sentences = new ArrayList<>();

    HaystackStream(Haystack kind, long seed) {
        this.kind = kind;
        // A stream apart from the task's own draws, so the haystack does not shift when a task draws more keys.
        Random random = new Random(seed ^ (0x5DEECE66DL * 31 + kind.ordinal()));
        this.proseOffset = random.nextInt(Lexicon.proseSentences().size());
        this.noise = random;
    }

    /**
     * The first {@code words} words of the stream as sentences. A sentence cut short ends with a
     * full stop added, so needles still go in between sentences.
     */
    List<String> firstWords(int words) {
        List<String> out = new ArrayList<>();
        int left = words;
        for (int i = 0; left > 0; i++) {
            String[] sentence = sentence(i);
            if (sentence.length <= left) {
                out.add(String.join(" ", sentence));
                left -= sentence.length;
            } else {
                out.add(cut(sentence, left));
                left = 0;
            }
        }
        return out;
    }

    private String[] sentence(int i) {
        while (sentences.size() <= i) {
            sentences.add(kind == Haystack.PROSE ? nextProse() : nextNoise());
        }
        return sentences.get(i);
    }

    private String[] nextProse() {
        List<String> prose = Lexicon.proseSentences();
        return prose.get((proseOffset + sentences.size()) % prose.size()).split(" ");
    }

    private String[] nextNoise() {
        int length = NOISE_MIN_WORDS + noise.nextInt(NOISE_MAX_WORDS - NOISE_MIN_WORDS + 1);
        List<String> pool = Lexicon.commonWords();
        String[] words = new String[length];
        for (int i = 0; i < length; i++) {
            words[i] = pool.get(noise.nextInt(pool.size()));
        }
        words[0] = Character.toUpperCase(words[0].charAt(0)) + words[0].substring(1);
        words[length - 1] = words[length - 1] + ".";
        return words;
    }

    private static String cut(String[] sentence, int words) {
        String text = String.join(" ", Arrays.copyOf(sentence, words));
        text = text.replaceAll("[,;:]+$", "");
        return text.matches(".*[.!?]$") ? text : text + ".";
    }
}
