package dev.windowkv.experiments.tasks;

import dev.windowkv.engine.UserError;
import dev.windowkv.engine.kvcache.TaskType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TaskSuiteTest {
    @Test
    void namesAreRegisteredInOrder() {
        assertEquals(List.of("niah_single", "niah_single_word", "niah_multikey", "niah_multivalue",
                "niah_multiquery", "vt", "cwe", "fwe"), TaskSuite.names());
        for (String name : TaskSuite.names()) {
            assertEquals(name, TaskSuite.byName(name).name());
        }
    }

    @Test
    void retrievalAndMultiHopAreQaAndExtractionIsAggregation() {
        for (String name : List.of("niah_single", "niah_single_word", "niah_multikey", "niah_multivalue", "niah_multiquery", "vt")) {
            assertEquals(TaskType.QA, TaskSuite.byName(name).type(), name);
        }
        assertEquals(TaskType.AGGREGATION, TaskSuite.byName("cwe").type());
        assertEquals(TaskType.AGGREGATION, TaskSuite.byName("fwe").type());
    }

    @Test
    void unknownTaskIsAUserErrorListingTheValidNames() {
        UnknownTaskError e = assertThrows(UnknownTaskError.class, () -> TaskSuite.byName("niah_double"));
        assertInstanceOf(UserError.class, e);
        assertEquals("unknown task 'niah_double'; valid tasks: niah_single, niah_single_word, niah_multikey, "
                + "niah_multivalue, niah_multiquery, vt, cwe, fwe", e.getMessage());
    }

    @Test
    void sampleRecordsWhatItWasMadeFrom() {
        TaskSample sample = TaskSuite.byName("niah_multikey").generate(new WordTokenizer(),
                new SampleSpec(512, 0.25, 7, Haystack.NOISE));
        assertEquals("niah_multikey", sample.task());
        assertEquals(TaskType.QA, sample.type());
        assertEquals(512, sample.targetTokens());
        assertEquals(0.25, sample.depth());
        assertEquals(Haystack.NOISE, sample.haystack());
        assertEquals(7, sample.seed());
        assertEquals(128, sample.maxNewTokens());

        TaskSample cwe = TaskSuite.byName("cwe").generate(new WordTokenizer(), new SampleSpec(512, 0.25, 7, Haystack.NOISE));
        assertEquals(TaskType.AGGREGATION, cwe.type());
        assertEquals(null, cwe.depth(), "cwe has no needle");
        assertEquals(null, cwe.haystack(), "cwe's context is its word list");
        assertEquals(120, cwe.maxNewTokens());
    }
}
