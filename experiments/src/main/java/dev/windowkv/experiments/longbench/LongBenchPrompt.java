package dev.windowkv.experiments.longbench;

import dev.windowkv.engine.tokenizer.Tokenizer;

/**
 * A LongBench sample as the model reads it in the WindowKV setup (spec §5): the dataset's
 * template filled in, no chat template, tokenized with BOS, then middle-truncated on the ids.
 */
public final class LongBenchPrompt {
    private LongBenchPrompt() {
    }

    public static String text(LongBenchDataset dataset, LongBenchSample sample) {
        return dataset.prompt().render(sample);
    }

    public static int[] ids(LongBenchDataset dataset, LongBenchSample sample, Tokenizer tokenizer, int maxInputTokens) {
        return MiddleTruncation.truncate(tokenizer.encode(text(dataset, sample), true, false), maxInputTokens);
    }
}
