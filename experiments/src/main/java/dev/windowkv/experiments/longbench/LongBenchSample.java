package dev.windowkv.experiments.longbench;

import java.util.List;

/**
 * One line of a LongBench {@code {dataset}.jsonl} file, with LongBench's field names.
 *
 * @param input      the question or query ({@code input}); empty for the summarisation sets
 * @param context    the long document(s) ({@code context})
 * @param answers    the reference answers; the score is the maximum over them
 * @param allClasses the label set of the classification sets (trec, lsht); empty otherwise
 * @param length     LongBench's own word (or, for Chinese, character) count of the sample
 * @param dataset    the dataset name, as in {@code dataset2prompt.json}
 * @param id         LongBench's {@code _id}
 * @param language   {@code en}, {@code zh} or {@code code}
 */
public record LongBenchSample(
        String input,
        String context,
        List<String> answers,
        List<String> allClasses,
        int length,
        String dataset,
        String id,
        String language) {

    public LongBenchSample {
        answers = List.copyOf(answers);
        allClasses = List.copyOf(allClasses);
    }
}
