package dev.windowkv.experiments.tasks;

/**
 * The needle phrasing of the retrieval tasks. The answer prefix repeats the needle's words up to the
 * value, so a model that finds where the prompt's last tokens occurred before (an induction head)
 * continues with the value.
 */
final class MagicNeedle {
    static final String NUMBER = "number";
    static final String WORD = "word";

    private MagicNeedle() {
    }

    /** {@code The special magic number for mango is 7142093.} */
    static String statement(String noun, String key, String value) {
        return answerPrefix(noun, key) + " " + value + ".";
    }

    /** {@code The special magic number for mango is}: the needle up to its value. */
    static String answerPrefix(String noun, String key) {
        return "The special magic " + noun + " for " + key + " is";
    }

    /** The line before the haystack. */
    static String intro(String noun) {
        return "Some special magic " + noun + "s are hidden in the text below. "
                + "Memorize them: a question about them follows the text.";
    }
}
