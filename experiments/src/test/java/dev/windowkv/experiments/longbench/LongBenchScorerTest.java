package dev.windowkv.experiments.longbench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class LongBenchScorerTest {

    @Test
    void aSampleScoresItsBestAnswer() {
        LongBenchDataset nqa = LongBenchDataset.named("narrativeqa");
        // vs "Paris": [city, of, paris] vs [paris], P = 1/3, R = 1, F1 = 2·(1/3)/(4/3) = 0.5
        // vs "the city of Paris": normalized "city of paris", F1 = 1.0; the max is 1.0
        assertEquals(1.0, LongBenchScorer.scoreSample(nqa, "city of Paris", List.of("Paris", "the city of Paris"), List.of()));
        assertEquals(0.5, LongBenchScorer.scoreSample(nqa, "city of Paris", List.of("Paris"), List.of()));
    }

    @Test
    void trecTriviaqaSamsumScoreOnlyTheFirstLine() {
        LongBenchDataset trec = LongBenchDataset.named("trec");
        List<String> classes = List.of("Location", "Human");
        // first line after leading newlines is "Location": 1.0 (the whole text would name both, 0.5)
        assertEquals(1.0, LongBenchScorer.scoreSample(trec, "\nLocation\nHuman", List.of("Location"), classes));
        // qa_f1 on triviaqa: the second line is never seen
        LongBenchDataset trivia = LongBenchDataset.named("triviaqa");
        assertEquals(0.0, LongBenchScorer.scoreSample(trivia, "I think\nParis", List.of("Paris"), List.of()));
        // hotpotqa is not a first-line set: [i, think, paris] vs [paris], F1 = 2·(1/3)/(4/3) = 0.5
        LongBenchDataset hotpot = LongBenchDataset.named("hotpotqa");
        assertEquals(0.5, LongBenchScorer.scoreSample(hotpot, "I think\nParis", List.of("Paris"), List.of()), 1e-12);
    }

    @Test
    void aDatasetScoreIsAPercentageRoundedToTwoDecimals() {
        // (1 + 0.5 + 0) / 3 = 0.5 -> 50.0
        assertEquals(50.0, LongBenchScorer.datasetScore(List.of(1.0, 0.5, 0.0)));
        // 2/3 -> 66.666… -> 66.67
        assertEquals(66.67, LongBenchScorer.datasetScore(List.of(1.0, 1.0, 0.0)));
    }

    @Test
    void chineseSetsNeedingJiebaAreRefused() {
        assertThrows(LongBenchFileError.class,
                () -> LongBenchScorer.scoreSample(LongBenchDataset.named("dureader"), "x", List.of("x"), List.of()));
    }
}
