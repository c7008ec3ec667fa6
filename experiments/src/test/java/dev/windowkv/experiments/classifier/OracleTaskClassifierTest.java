package dev.windowkv.experiments.classifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.windowkv.engine.kvcache.TaskType;
import org.junit.jupiter.api.Test;

class OracleTaskClassifierTest {

    @Test
    void longBenchQaSetsAreQaAndTheRestAggregation() {
        for (String qa : new String[] {"narrativeqa", "qasper", "multifieldqa_en", "hotpotqa", "2wikimqa", "musique"}) {
            assertEquals(TaskType.QA, OracleTaskClassifier.label(qa), qa);
        }
        // summarization, few-shot (TriviaQA too, though its samples ask questions), synthetic, code
        for (String other : new String[] {"gov_report", "qmsum", "multi_news", "trec", "triviaqa", "samsum",
                "passage_count", "passage_retrieval_en", "lcc", "repobench-p"}) {
            assertEquals(TaskType.AGGREGATION, OracleTaskClassifier.label(other), other);
        }
    }

    @Test
    void syntheticRetrievalTasksAreQaAndWordCountingAggregation() {
        for (String qa : new String[] {"niah_single", "niah_multikey", "niah_multivalue", "niah_multiquery", "vt"}) {
            assertEquals(TaskType.QA, OracleTaskClassifier.label(qa), qa);
        }
        assertEquals(TaskType.AGGREGATION, OracleTaskClassifier.label("cwe"));
        assertEquals(TaskType.AGGREGATION, OracleTaskClassifier.label("fwe"));
    }

    @Test
    void theOracleReadsTheNameNotThePrompt() {
        assertEquals(TaskType.QA, new OracleTaskClassifier().classify("hotpotqa", "Summarize the report."));
    }

    @Test
    void anUnknownTaskIsAUserErrorThatSuggestsTheLearnedClassifier() {
        UnknownTaskError e = assertThrows(UnknownTaskError.class, () -> OracleTaskClassifier.label("my_task"));
        assertTrue(e.getMessage().contains("my_task") && e.getMessage().contains("learned"), e.getMessage());
    }
}
