package dev.windowkv.experiments.classifier;

import dev.windowkv.experiments.tasks.Task;
import dev.windowkv.experiments.tasks.TaskSuite;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every task of the synthetic suite has an oracle label, and it is the task's own. */
class OracleCoversTheSuiteTest {
    @Test
    void everySyntheticTaskIsLabelledAsItsGeneratorLabelsIt() {
        for (Task t : TaskSuite.all()) assertEquals(t.type(), OracleTaskClassifier.label(t.name()), t.name());
    }
}
