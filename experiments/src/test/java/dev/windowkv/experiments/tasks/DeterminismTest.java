package dev.windowkv.experiments.tasks;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class DeterminismTest {
    static List<String> tasks() {
        return TaskSuite.names();
    }

    @ParameterizedTest
    @MethodSource("tasks")
    void sameSeedGivesTheSameSample(String task) {
        for (Haystack haystack : Haystack.values()) {
            SampleSpec spec = new SampleSpec(1024, 0.3, 2024, haystack);
            // Separate tokenizers: the sample must not depend on what a tokenizer has seen before.
            assertEquals(TaskSuite.byName(task).generate(new WordTokenizer(), spec),
                    TaskSuite.byName(task).generate(new WordTokenizer(), spec));
        }
    }

    @ParameterizedTest
    @MethodSource("tasks")
    void differentSeedsGiveDifferentSamples(String task) {
        for (Haystack haystack : Haystack.values()) {
            TaskSample a = TaskSuite.byName(task).generate(new WordTokenizer(), new SampleSpec(1024, 0.3, 1, haystack));
            TaskSample b = TaskSuite.byName(task).generate(new WordTokenizer(), new SampleSpec(1024, 0.3, 2, haystack));
            assertNotEquals(a.prompt(), b.prompt());
            assertNotEquals(a.expected(), b.expected());
        }
    }
}
