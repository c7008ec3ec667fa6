package dev.windowkv.experiments.longbench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.windowkv.engine.kvcache.TaskType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LongBenchDatasetTest {

    @Test
    void theSixteenEnglishDatasetsHaveLongBenchsGenerationLengths() {
        // dataset2maxlen.json; spec §5: 128 NQA/Qasper, 64 MF-en/TREC/LCC/RB-P,
        // 32 multi-hop QA/TriviaQA/PCount/PRe, 512 summarization (and 128 SAMSum).
        Map<String, Integer> expected = Map.ofEntries(
                Map.entry("narrativeqa", 128), Map.entry("qasper", 128), Map.entry("multifieldqa_en", 64),
                Map.entry("hotpotqa", 32), Map.entry("2wikimqa", 32), Map.entry("musique", 32),
                Map.entry("gov_report", 512), Map.entry("qmsum", 512), Map.entry("multi_news", 512),
                Map.entry("trec", 64), Map.entry("triviaqa", 32), Map.entry("samsum", 128),
                Map.entry("passage_count", 32), Map.entry("passage_retrieval_en", 32),
                Map.entry("lcc", 64), Map.entry("repobench-p", 64));
        assertEquals(16, LongBenchDataset.ENGLISH.size());
        for (String name : LongBenchDataset.ENGLISH) {
            LongBenchDataset d = LongBenchDataset.named(name);
            assertEquals(expected.get(name), d.maxNewTokens(), name);
            assertNotNull(d.metric(), name);
        }
    }

    @Test
    void theDatasetToMetricMapFollowsEvalPy() {
        assertEquals(LongBenchMetric.QA_F1, LongBenchDataset.named("2wikimqa").metric());
        assertEquals(LongBenchMetric.QA_F1, LongBenchDataset.named("triviaqa").metric());
        assertEquals(LongBenchMetric.ROUGE_L, LongBenchDataset.named("samsum").metric());
        assertEquals(LongBenchMetric.ROUGE_L, LongBenchDataset.named("qmsum").metric());
        assertEquals(LongBenchMetric.CLASSIFICATION, LongBenchDataset.named("trec").metric());
        assertEquals(LongBenchMetric.COUNT, LongBenchDataset.named("passage_count").metric());
        assertEquals(LongBenchMetric.RETRIEVAL, LongBenchDataset.named("passage_retrieval_en").metric());
        assertEquals(LongBenchMetric.CODE_SIM, LongBenchDataset.named("repobench-p").metric());
    }

    @Test
    void thePapersTaskLabelsAreQaForTheSixQaSetsOnly() {
        List<String> qa = List.of("narrativeqa", "qasper", "multifieldqa_en", "hotpotqa", "2wikimqa", "musique");
        for (String name : LongBenchDataset.ENGLISH) {
            TaskType expected = qa.contains(name) ? TaskType.QA : TaskType.AGGREGATION;
            assertEquals(expected, LongBenchDataset.named(name).taskType(), name);
        }
    }

    @Test
    void rendersLongBenchsTemplatesVerbatim() {
        LongBenchSample sample = new LongBenchSample("Who wrote it?", "Mary wrote it.", List.of("Mary"), List.of(), 3, "hotpotqa", "x", "en");
        assertEquals("""
                Answer the question based on the given passages. Only give me the answer and do not output any other words.

                The following are given passages.
                Mary wrote it.

                Answer the question based on the given passages. Only give me the answer and do not output any other words.

                Question: Who wrote it?
                Answer:""", LongBenchDataset.named("hotpotqa").prompt().render(sample));
        // LongBench's narrativeqa template really says "asconcisely"; scores depend on the exact text.
        String nqa = LongBenchDataset.named("narrativeqa").prompt().render("S", "Q");
        assertEquals("You are given a story, which can be either a novel or a movie script, and a question. "
                + "Answer the question asconcisely as you can, using a single phrase if possible. Do not provide any explanation.\n\n"
                + "Story: S\n\nNow, answer the question based on the story asconcisely as you can, using a single phrase if possible. "
                + "Do not provide any explanation.\n\nQuestion: Q\n\nAnswer:", nqa);
        assertEquals("Please complete the code given below. \nint x = 1;\nNext line of code:\n",
                LongBenchDataset.named("lcc").prompt().render("int x = 1;\n", ""));
    }

    @Test
    void bracesInsideTheContextAreNotTemplateFields() {
        // str.format fills in one pass: a context holding "{input}" stays as written.
        String out = new PromptTemplate("{context}|{input}").render("if (x) { y(\"{input}\"); }", "Q");
        assertEquals("if (x) { y(\"{input}\"); }|Q", out);
    }

    @Test
    void anUnknownDatasetNamesTheKnownOnes() {
        LongBenchFileError e = assertThrows(LongBenchFileError.class, () -> LongBenchDataset.named("narrative_qa"));
        assertEquals(true, e.getMessage().contains("narrativeqa"));
    }
}
