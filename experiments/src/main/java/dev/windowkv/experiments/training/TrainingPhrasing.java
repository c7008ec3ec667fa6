package dev.windowkv.experiments.training;

import java.util.List;
import java.util.Random;

/**
 * The needle phrasings of the training data. The suite (and so the sweep and the held-out
 * evaluation) says "special magic number" / "special magic word"; training never does: each training
 * sample swaps that phrase, everywhere in the prompt and its question, for one of these. A model that
 * passes the held-out test has therefore retrieved under a phrasing it never saw.
 */
public final class TrainingPhrasing {
    /** The suite's phrase, held out of training. */
    public static final String HELD_OUT = "special magic";

    static final List<String> ALTERNATIVES = List.of(
            "secret", "hidden", "lucky", "private", "assigned", "reserved", "chosen", "stored",
            "secret magic", "hidden special", "very important", "little known");

    private TrainingPhrasing() {
    }

    /** The sample's text with the held-out phrase replaced by a drawn alternative. */
    public static String rephrase(String text, Random random) {
        String phrase = ALTERNATIVES.get(random.nextInt(ALTERNATIVES.size()));
        return text.replace(HELD_OUT, phrase);
    }
}
