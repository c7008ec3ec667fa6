package dev.windowkv.experiments.tasks;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The word lists and prose the generators draw from, shipped as resources next to this class.
 * Lines starting with {@code #} are comments.
 */
public final class Lexicon {
    private static final List<String> PROSE_SENTENCES = sentences(read("filler-prose.txt"));
    private static final List<String> COMMON_WORDS = words(read("common-words.txt"));
    private static final List<String> KEY_WORDS = words(read("key-words.txt"));
    private static final List<String> VALUE_WORDS = words(read("value-words.txt"));

    private Lexicon() {
    }

    /** The filler prose, one sentence per element, in reading order. */
    static List<String> proseSentences() {
        return PROSE_SENTENCES;
    }

    /** Ordinary English words for the noise haystack and the cwe lists. */
    static List<String> commonWords() {
        return COMMON_WORDS;
    }

    /** Needle keys: fruit, animal and colour words. */
    public static List<String> keyWords() {
        return KEY_WORDS;
    }

    /** Needle values for the word variant of the single needle. */
    public static List<String> valueWords() {
        return VALUE_WORDS;
    }

    private static List<String> sentences(String text) {
        return Arrays.stream(text.split("(?<=[.!?])\\s+"))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    private static List<String> words(String text) {
        return Arrays.stream(text.split("\\s+")).filter(s -> !s.isEmpty()).toList();
    }

    private static String read(String name) {
        try (InputStream in = Lexicon.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name + " next to " + Lexicon.class.getName());
            }
            StringBuilder out = new StringBuilder();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.startsWith("#")) {
                    out.append(line).append('\n');
                }
            }
            return out.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
