package dev.windowkv.experiments.classifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.windowkv.engine.kvcache.TaskType;
import dev.windowkv.experiments.longbench.LongBenchDataset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/** The weights in the jar load, and the MiniLM-based classifier labels clear prompts as the oracle does. */
class ShippedTaskClassifierTest {
    private static PromptTaskClassifier classifier;
    private static MiniLmEmbedder embedder;

    @BeforeAll
    static void load() {
        embedder = new MiniLmEmbedder();
        classifier = new PromptTaskClassifier(embedder, TaskClassifierWeights.loadShipped().head());
    }

    @Test
    void theShippedWeightsDescribeTheirTraining() {
        TaskClassifierWeights w = TaskClassifierWeights.loadShipped();
        assertEquals(384, w.weights().length);
        assertEquals("QA", w.positiveLabel());
        assertTrue(w.heldOutAccuracy() >= 0.9, "held-out accuracy " + w.heldOutAccuracy());
    }

    @Test
    void aQuestionAboutAStoryIsQa() {
        String prompt = LongBenchDataset.named("narrativeqa").prompt().render(
                "CHAPTER 1\n\nMary found the old letter near the harbour. In 1902, the letter was signed by John. "
                        + "Nobody expected the letter to matter so much.\n\n\"Keep it safe\" said John.",
                "Who signed the letter?");
        assertEquals(TaskType.QA, classifier.classify(prompt));
    }

    @Test
    @Disabled("known limitation (CLASSIFIER.md): trained only on generated text, the head labels this real-prose "
            + "hotpotqa prompt aggregation; kept to show what a better training set must fix")
    void aQuestionOverRealPassagesIsQa() {
        String prompt = LongBenchDataset.named("hotpotqa").prompt().render(
                "Passage 1:\nThe Eiffel Tower\nThe Eiffel Tower is a wrought-iron tower in Paris, designed by Gustave Eiffel's company.\n\n"
                        + "Passage 2:\nGustave Eiffel\nGustave Eiffel was a French civil engineer born in Dijon in 1832.\n",
                "In which city was the designer of the Eiffel Tower born?");
        assertEquals(TaskType.QA, classifier.classify(prompt));
    }

    @Test
    void aReportToSummarizeIsAggregation() {
        String prompt = LongBenchDataset.named("gov_report").prompt().render(
                "The agency reviewed 42 programs in 2019. Spending rose by 8 percent while staffing fell. "
                        + "Officials said the new budget process would be completed next year.", "");
        assertEquals(TaskType.AGGREGATION, classifier.classify(prompt));
    }

    @Test
    void aNeedleQuestionIsQaAndCommonWordsAggregation() {
        String needle = "Some special magic numbers are hidden within the following text. Make sure to memorize it. "
                + "I will quiz you about the numbers afterwards.\nThe grass is green. The sky is blue. "
                + "One of the special magic numbers for quiet-river is: 4721093. The sun is warm.\n"
                + "What is the special magic number for quiet-river mentioned in the provided text?";
        assertEquals(TaskType.QA, classifier.classify(needle));
        String words = "Below is a numbered list of words. In these words, some appear more often than others. "
                + "Memorize the ones that appear most often.\n1. apple 2. stone 3. apple 4. river 5. apple 6. stone\n"
                + "Question: What are the 10 most common words in the above list?";
        assertEquals(TaskType.AGGREGATION, classifier.classify(words));
    }

    @Test
    void aLongPromptIsCutToItsTwoEnds() {
        String middle = "filler text ".repeat(2000);
        String prompt = "Read the following text and answer briefly.\n\n" + middle + "\n\nQuestion: Who wrote the letter?\nAnswer:";
        String cut = embedder.headAndTail(prompt);
        assertTrue(cut.startsWith("Read the following text and answer briefly."));
        assertTrue(cut.endsWith("Question: Who wrote the letter?\nAnswer:"));
        int pieces = embedder.countPieces(cut);
        assertTrue(pieces <= 510 && pieces >= 500, "pieces " + pieces);
    }
}
