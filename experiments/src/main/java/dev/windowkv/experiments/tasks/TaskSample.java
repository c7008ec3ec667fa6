package dev.windowkv.experiments.tasks;

import dev.windowkv.engine.kvcache.TaskType;

import java.util.List;

/**
 * One generated sample: the prompt the model reads and the strings its answer is scored against.
 *
 * @param task          the task's registry name, such as {@code niah_single}
 * @param type          WindowKV's task label: QA for retrieval and multi-hop, AGGREGATION for cwe and fwe
 * @param prompt        the full prompt, ending with the answer prefix; encode it without BOS to get
 *                      {@code actualTokens}
 * @param expected      every string a perfect answer contains
 * @param targetTokens  the length asked for
 * @param actualTokens  the prompt's length in tokens, within 2% of {@code targetTokens}
 * @param depth         the needle depth asked for; null for tasks without a needle (cwe, fwe)
 * @param haystack      the filler used; null for tasks whose context is a word list (cwe, fwe)
 * @param seed          the seed the sample was made from
 * @param maxNewTokens  a generation budget long enough for a full answer (RULER's per-task value)
 * @param valueSpan     the realised span of the expected value, the longest one where several are
 *                      expected: tokens the model writes after the answer prefix to give it (see
 *                      {@link SpanValue#measure}); null for tasks without needle values (vt, cwe, fwe)
 */
public record TaskSample(
        String task,
        TaskType type,
        String prompt,
        List<String> expected,
        int targetTokens,
        int actualTokens,
        Double depth,
        Haystack haystack,
        long seed,
        int maxNewTokens,
        Integer valueSpan) {

    public TaskSample {
        expected = List.copyOf(expected);
    }
}
