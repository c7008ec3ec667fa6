package dev.windowkv.experiments.longbench;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.windowkv.engine.kvcache.TaskType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One LongBench dataset: its prompt template and generation length (LongBench's
 * {@code config/dataset2prompt.json} and {@code dataset2maxlen.json}, shipped verbatim as
 * resources, typos included), its metric ({@code eval.py}'s {@code dataset2metric}) and WindowKV's
 * task label (spec §1.2: the six single-/multi-document QA sets are QA, everything else is
 * aggregation).
 *
 * @param metric null for the Chinese sets whose metric needs jieba (multifieldqa_zh, dureader, vcsum)
 */
public record LongBenchDataset(
        String name,
        PromptTemplate prompt,
        int maxNewTokens,
        LongBenchMetric metric,
        TaskType taskType,
        String language) {

    /** The 16 English datasets of the paper's table, in LongBench's column order. */
    public static final List<String> ENGLISH = List.of(
            "narrativeqa", "qasper", "multifieldqa_en",
            "hotpotqa", "2wikimqa", "musique",
            "gov_report", "qmsum", "multi_news",
            "trec", "triviaqa", "samsum",
            "passage_count", "passage_retrieval_en",
            "lcc", "repobench-p");

    public static final List<String> CHINESE = List.of(
            "multifieldqa_zh", "dureader", "vcsum", "lsht", "passage_retrieval_zh");

    /** WindowKV's localization (QA) sets; the paper's "other" label covers the rest. */
    public static final Set<String> QA_DATASETS = Set.of(
            "narrativeqa", "qasper", "multifieldqa_en", "hotpotqa", "2wikimqa", "musique",
            "multifieldqa_zh", "dureader");

    /** LongBench scores only the first line of the prediction on these (eval.py). */
    public static final Set<String> FIRST_LINE_ONLY = Set.of("trec", "triviaqa", "samsum", "lsht");

    private static final Map<String, LongBenchMetric> METRICS = Map.ofEntries(
            Map.entry("narrativeqa", LongBenchMetric.QA_F1),
            Map.entry("qasper", LongBenchMetric.QA_F1),
            Map.entry("multifieldqa_en", LongBenchMetric.QA_F1),
            Map.entry("hotpotqa", LongBenchMetric.QA_F1),
            Map.entry("2wikimqa", LongBenchMetric.QA_F1),
            Map.entry("musique", LongBenchMetric.QA_F1),
            Map.entry("gov_report", LongBenchMetric.ROUGE_L),
            Map.entry("qmsum", LongBenchMetric.ROUGE_L),
            Map.entry("multi_news", LongBenchMetric.ROUGE_L),
            Map.entry("trec", LongBenchMetric.CLASSIFICATION),
            Map.entry("triviaqa", LongBenchMetric.QA_F1),
            Map.entry("samsum", LongBenchMetric.ROUGE_L),
            Map.entry("lsht", LongBenchMetric.CLASSIFICATION),
            Map.entry("passage_count", LongBenchMetric.COUNT),
            Map.entry("passage_retrieval_en", LongBenchMetric.RETRIEVAL),
            Map.entry("passage_retrieval_zh", LongBenchMetric.RETRIEVAL_ZH),
            Map.entry("lcc", LongBenchMetric.CODE_SIM),
            Map.entry("repobench-p", LongBenchMetric.CODE_SIM));

    private static final Map<String, LongBenchDataset> ALL = loadAll();

    /** The dataset of that LongBench name; a {@link LongBenchFileError} names the known ones otherwise. */
    public static LongBenchDataset named(String name) {
        LongBenchDataset dataset = ALL.get(name);
        if (dataset == null) {
            throw new LongBenchFileError("unknown LongBench dataset \"" + name + "\"; known: " + String.join(", ", ALL.keySet()));
        }
        return dataset;
    }

    public static boolean isKnown(String name) {
        return ALL.containsKey(name);
    }

    public boolean scoresFirstLineOnly() {
        return FIRST_LINE_ONLY.contains(name);
    }

    private static Map<String, LongBenchDataset> loadAll() {
        Map<String, String> prompts = readResource("dataset2prompt.json", new TypeReference<>() { });
        Map<String, Integer> maxLengths = readResource("dataset2maxlen.json", new TypeReference<>() { });
        Map<String, LongBenchDataset> all = new LinkedHashMap<>();
        for (String name : prompts.keySet()) {
            String language = CHINESE.contains(name) ? "zh" : "en";
            all.put(name, new LongBenchDataset(
                    name,
                    new PromptTemplate(prompts.get(name)),
                    maxLengths.get(name),
                    METRICS.get(name),
                    QA_DATASETS.contains(name) ? TaskType.QA : TaskType.AGGREGATION,
                    language));
        }
        return all;
    }

    private static <T> T readResource(String name, TypeReference<T> type) {
        try (InputStream in = LongBenchDataset.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name + " next to " + LongBenchDataset.class.getName());
            }
            return new ObjectMapper().readValue(in, type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
