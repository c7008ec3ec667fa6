package dev.windowkv.experiments.tasks;

import dev.windowkv.engine.tokenizer.Tokenizer;

import java.util.function.IntFunction;

/**
 * Finds the size (haystack words, list words) whose prompt is closest to a target length in
 * tokens. Tokens are counted on the whole prompt, so the count is exact for any tokenizer.
 */
final class LengthFit {
    /** How far a sample's length may be from its target, as a fraction of the target. */
    static final double TOLERANCE = 0.02;

    private static final int MAX_PROBES = 64;

    /** A prompt of a given size and its length in tokens. */
    record Fitted(int size, String prompt, int tokens) {
    }

    private LengthFit() {
    }

    /**
     * @param prompt builds the prompt for a size; its length must not shrink as the size grows
     * @throws SampleSpecError when even size 0 is too long, or no size comes within the tolerance
     */
    static Fitted fit(String task, int target, Tokenizer tokenizer, IntFunction<String> prompt) {
        Fitted zero = measure(0, tokenizer, prompt);
        if (zero.tokens() > target * (1 + TOLERANCE)) {
            throw new SampleSpecError(task + " needs at least " + zero.tokens()
                    + " tokens for its question and needles; ask for a longer target than " + target);
        }
        Fitted below = zero;
        Fitted above = null;
        // A size unit is a word, at least one token, so the first probe lands at or past the target.
        // Then interpolate between the nearest sizes known to be too short and too long.
        int size = Math.max(1, target - zero.tokens());
        long lastSpan = Long.MAX_VALUE;
        for (int probe = 0; probe < MAX_PROBES && below.tokens() != target; probe++) {
            Fitted f = measure(size, tokenizer, prompt);
            if (f.tokens() <= target) {
                below = f;
            } else {
                above = f;
            }
            if (below.tokens() == target || (above != null && above.size() - below.size() <= 1)) {
                break;
            }
            if (above == null) {
                // Units shorter than a token: extrapolate from the rate so far, at most doubling.
                double rate = (double) (below.tokens() - zero.tokens()) / below.size();
                long step = rate > 0 ? (long) Math.ceil((target - below.tokens()) / rate) : below.size();
                size = (int) Math.min(Integer.MAX_VALUE / 4, below.size() + Math.clamp(step, 1, below.size()));
            } else {
                long span = above.size() - below.size();
                long guess = below.size() + span * (target - below.tokens()) / Math.max(1, above.tokens() - below.tokens());
                // Interpolation can creep in from one side; bisect whenever the last probe did not halve the bracket.
                if (span > lastSpan / 2) {
                    guess = below.size() + span / 2;
                }
                lastSpan = span;
                size = (int) Math.clamp(guess, below.size() + 1L, above.size() - 1L);
            }
        }
        Fitted best = above == null || target - below.tokens() <= above.tokens() - target ? below : above;
        if (Math.abs(best.tokens() - target) > target * TOLERANCE) {
            throw new SampleSpecError(task + " cannot reach " + target + " tokens within "
                    + Math.round(TOLERANCE * 100) + "% (closest: " + best.tokens() + "); try another target length");
        }
        return best;
    }

    private static Fitted measure(int size, Tokenizer tokenizer, IntFunction<String> prompt) {
        String text = prompt.apply(size);
        return new Fitted(size, text, tokenizer.encode(text).length);
    }
}
