package dev.windowkv.experiments.tasks;

import java.util.Objects;

/**
 * What to generate.
 *
 * @param targetTokens prompt length in tokens of the tokenizer given to {@link Task#generate}; the
 *                     sample lands within {@link LengthFit#TOLERANCE} of it
 * @param depth        where the (first) needle goes, as a fraction of the haystack's tokens: 0 is the
 *                     very start of the haystack, 1 its very end, just before the question. Ignored by
 *                     tasks without a needle (cwe, fwe)
 * @param seed         everything random in the sample (keys, values, haystack) follows from it
 * @param haystack     the filler; ignored by cwe and fwe, whose context is the word list itself
 * @param valueSpan    the tokens each needle value spans in the same tokenizer, 1 to
 *                     {@value #MAX_VALUE_SPAN}; null for each task's own short value (a 7-digit
 *                     passkey, one word). Ignored by tasks without needle values
 *                     ({@link Task#takesValueSpan()} false)
 */
public record SampleSpec(int targetTokens, double depth, long seed, Haystack haystack, Integer valueSpan) {
    /** The longest value span a sample may ask for. */
    public static final int MAX_VALUE_SPAN = SpanValue.MAX_SPAN;

    /** Each task's own short value. */
    public SampleSpec(int targetTokens, double depth, long seed, Haystack haystack) {
        this(targetTokens, depth, seed, haystack, null);
    }

    public SampleSpec {
        if (targetTokens <= 0) {
            throw new SampleSpecError("target length must be a positive number of tokens, got " + targetTokens);
        }
        if (!(depth >= 0 && depth <= 1)) {
            throw new SampleSpecError("needle depth must be between 0 and 1, got " + depth);
        }
        Objects.requireNonNull(haystack, "haystack");
        if (valueSpan != null && (valueSpan < 1 || valueSpan > SpanValue.MAX_SPAN)) {
            throw new SampleSpecError("value span must be between 1 and " + SpanValue.MAX_SPAN + " tokens, got " + valueSpan);
        }
    }
}
