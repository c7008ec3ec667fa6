package dev.windowkv.experiments.classifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.windowkv.engine.kvcache.TaskType;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClassifierTrainingPromptsTest {

    @Test
    void everyTaskGetsItsPromptsWithTheOracleLabelAndTheSameSeedGivesTheSamePrompts() {
        List<LabelledPrompt> prompts = new ClassifierTrainingPrompts(1).generate(3);
        assertEquals((16 + 7) * 3, prompts.size());
        for (LabelledPrompt p : prompts) {
            assertEquals(OracleTaskClassifier.label(p.task()), p.label(), p.task());
            assertTrue(!p.prompt().contains("{context}") && !p.prompt().contains("{input}"), p.task());
        }
        assertEquals(prompts, new ClassifierTrainingPrompts(1).generate(3));
        long qa = prompts.stream().filter(p -> p.label() == TaskType.QA).count();
        assertEquals((6 + 5) * 3, qa);
    }

    @Test
    void promptsUseLongBenchsTemplates() {
        LabelledPrompt hotpot = new ClassifierTrainingPrompts(1).generate(1).stream()
                .filter(p -> p.task().equals("hotpotqa")).findFirst().orElseThrow();
        assertTrue(hotpot.prompt().startsWith("Answer the question based on the given passages."), hotpot.prompt());
        assertTrue(hotpot.prompt().endsWith("\nAnswer:"), hotpot.prompt());
    }
}
