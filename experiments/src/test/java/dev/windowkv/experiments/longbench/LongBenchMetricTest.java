package dev.windowkv.experiments.longbench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Every metric of LongBench's metrics.py on a worked example, the arithmetic in the comments. */
class LongBenchMetricTest {
    private static final List<String> NO_CLASSES = List.of();

    // ---- qa_f1_score ----

    @Test
    void normalizeAnswerLowercasesAndDropsPunctuationArticlesAndExtraSpace() {
        // "  The Cat's   hat.  " -> lower -> drop ' and . -> "  the cats   hat  " -> drop "the" -> "cats hat"
        assertEquals("cats hat", QaF1Score.normalizeAnswer("  The Cat's   hat.  "));
        // articles go only as whole words: "theatre" keeps its "the"
        assertEquals("theatre", QaF1Score.normalizeAnswer("An the theatre"));
    }

    @Test
    void qaF1() {
        // prediction "The Eiffel Tower, in Paris." -> [eiffel, tower, in, paris]; answer -> [eiffel, tower]
        // shared 2: P = 2/4, R = 2/2, F1 = 2·0.5·1 / 1.5 = 2/3
        assertEquals(2.0 / 3, LongBenchMetric.QA_F1.score("The Eiffel Tower, in Paris.", "Eiffel Tower", NO_CLASSES), 1e-12);
        // shared tokens count with multiplicity: [x, y, y, z] vs [y, y, y] share y twice
        // P = 2/4, R = 2/3, F1 = 2·(1/2)(2/3) / (1/2 + 2/3) = (2/3)/(7/6) = 4/7
        assertEquals(4.0 / 7, LongBenchMetric.QA_F1.score("x y y z", "y y y", NO_CLASSES), 1e-12);
        assertEquals(0.0, LongBenchMetric.QA_F1.score("London", "Paris", NO_CLASSES));
        assertEquals(0.0, LongBenchMetric.QA_F1.score("", "Paris", NO_CLASSES));
    }

    // ---- rouge_score (ROUGE-L F of the rouge package) ----

    @Test
    void rougeLOnOneSentence() {
        // ref "the cat is on the mat": distinct words {the, cat, is, on, mat}, m = 5
        // hyp "the cat sat on the mat": distinct {the, cat, sat, on, mat}, n = 5
        // LCS = "the cat on the mat" -> distinct words {the, cat, on, mat} = 4
        // R = 4/5, P = 4/5, F = 2·(0.8·0.8) / (0.8 + 0.8 + 1e-8)
        double expected = 2.0 * ((0.8 * 0.8) / (0.8 + 0.8 + 1e-8));
        assertEquals(expected, LongBenchMetric.ROUGE_L.score("the cat sat on the mat", "the cat is on the mat", NO_CLASSES), 1e-15);
    }

    @Test
    void rougeLUnitesTheLcsOfEverySentencePair() {
        // hyp "a b. c d" -> sentences ["a b", "c d"], n = |{a, b, c, d}| = 4; ref "b c d", m = 3
        // LCS(ref, "a b") = {b}; LCS(ref, "c d") = {c, d}; union = {b, c, d} = 3
        // R = 3/3, P = 3/4, F = 2·(0.75) / (1.75 + 1e-8) ≈ 6/7
        double expected = 2.0 * ((0.75 * 1.0) / (0.75 + 1.0 + 1e-8));
        assertEquals(expected, LongBenchMetric.ROUGE_L.score("a b. c d", "b c d", NO_CLASSES), 1e-15);
    }

    @Test
    void rougeLKeepsThePackagesBacktrackingAndCountsDistinctWords() {
        // ref x = [x, y, x], hyp y = [x, x, y]: two LCSs of length 2, "x x" and "x y".
        // The package backtracks from (3,3): x≠y, up (2,3)=2 is not > left (3,2)=2, so left;
        // (3,2) x=x take; (2,1) y≠x, up (1,1)=1 > left (2,0)=0, so up; (1,1) x=x take.
        // It recovers "x x", whose distinct words are {x}: overlap 1, m = n = |{x, y}| = 2,
        // R = P = 1/2, F = 2·0.25 / (1 + 1e-8) ≈ 0.5 (the other LCS would have given 1.0).
        double expected = 2.0 * ((0.5 * 0.5) / (0.5 + 0.5 + 1e-8));
        assertEquals(expected, LongBenchMetric.ROUGE_L.score("x x y", "x y x", NO_CLASSES), 1e-15);
    }

    @Test
    void rougeLIsCaseSensitiveAndAnEmptyPredictionScoresZero() {
        // "The" and "the" are different words to the package: no overlap
        assertEquals(0.0, LongBenchMetric.ROUGE_L.score("The", "the", NO_CLASSES));
        // "" and "..." leave no sentence: the package raises, LongBench scores 0
        assertEquals(0.0, LongBenchMetric.ROUGE_L.score("", "a summary", NO_CLASSES));
        assertEquals(0.0, LongBenchMetric.ROUGE_L.score("...", "a summary", NO_CLASSES));
    }

    // ---- classification_score ----

    @Test
    void classification() {
        List<String> classes = List.of("Location", "Human");
        assertEquals(1.0, LongBenchMetric.CLASSIFICATION.score("Location", "Location", classes));
        assertEquals(0.0, LongBenchMetric.CLASSIFICATION.score("Human", "Location", classes));
        // both classes named: 1/2
        assertEquals(0.5, LongBenchMetric.CLASSIFICATION.score("Location or Human", "Human", classes));
    }

    @Test
    void classificationDropsClassesInsideTheAnswerButSkipsOneAfterEachDrop() {
        // classes "Human" and "Human being" both occur in the prediction "Human being"; "Human" is a
        // strict substring of the answer, so it is dropped: matches = ["Human being"], score 1/1.
        assertEquals(1.0, LongBenchMetric.CLASSIFICATION.score("Human being", "Human being", List.of("Human", "Human being")));
        // With ["Human", "being", "Human being"] all three match. metrics.py removes "Human" while
        // iterating, so Python's loop skips "being" (now at index 0) and looks at "Human being":
        // matches stay ["being", "Human being"] and the score is 1/2, not 1.
        assertEquals(0.5, LongBenchMetric.CLASSIFICATION.score("Human being", "Human being", List.of("Human", "being", "Human being")));
    }

    // ---- retrieval_score and count_score ----

    @Test
    void retrievalCountsTheShareOfNumbersThatAreTheRightParagraph() {
        assertEquals(1.0, LongBenchMetric.RETRIEVAL.score("Paragraph 12", "Paragraph 12", NO_CLASSES));
        // numbers [3, 12], one right: 1/2
        assertEquals(0.5, LongBenchMetric.RETRIEVAL.score("Paragraph 3 or Paragraph 12", "Paragraph 12", NO_CLASSES));
        // whole numbers are compared: 12 is not 1
        assertEquals(0.0, LongBenchMetric.RETRIEVAL.score("Paragraph 12", "Paragraph 1", NO_CLASSES));
        assertEquals(0.0, LongBenchMetric.RETRIEVAL.score("I do not know", "Paragraph 1", NO_CLASSES));
        assertEquals(1.0, LongBenchMetric.RETRIEVAL_ZH.score("段落5", "段落5", NO_CLASSES));
    }

    @Test
    void count() {
        // numbers [7, 8, 7], two equal the answer: 2/3
        assertEquals(2.0 / 3, LongBenchMetric.COUNT.score("There are 7 unique paragraphs, not 8 or 7.", "7", NO_CLASSES), 1e-12);
        assertEquals(0.0, LongBenchMetric.COUNT.score("many", "7", NO_CLASSES));
    }

    // ---- code_sim_score (fuzz.ratio) ----

    @Test
    void fuzzRatioIsTheLevenshteinRatioRoundedHalfToEven() {
        // kitten / sitting: LCS "ittn" = 4, |a| + |b| = 13, ratio = 2·4/13 = 0.615… -> 62
        assertEquals(62, FuzzRatio.ratio("kitten", "sitting"));
        // abcdefgh / hijklmno: LCS "h" = 1, ratio = 2/16 = 0.125 -> 12.5 -> 12 (Python rounds half to even)
        assertEquals(12, FuzzRatio.ratio("abcdefgh", "hijklmno"));
        // …and 3 shared of 16: 6/16 = 37.5 -> 38
        assertEquals(38, FuzzRatio.ratio("abcdefgh", "abcijklm"));
        assertEquals(100, FuzzRatio.ratio("", ""));
        assertEquals(0, FuzzRatio.ratio("", "x"));
    }

    @Test
    void codeSimScoresTheFirstLineThatIsNotACommentOrFence() {
        // leading newlines dropped; "# note" and "```java" skipped; "return x + 1;" == answer -> 100/100
        assertEquals(1.0, LongBenchMetric.CODE_SIM.score("\n\n# note\n```java\nreturn x + 1;\nfoo();", "return x + 1;", NO_CLASSES));
        // "return x;" vs "return y;": LCS 8 of 9 + 9 chars, 16/18 = 88.9 -> 89
        assertEquals(0.89, LongBenchMetric.CODE_SIM.score("return x;", "return y;", NO_CLASSES), 1e-12);
        // only a comment: the line compared is "", which scores 0
        assertEquals(0.0, LongBenchMetric.CODE_SIM.score("// done", "return x;", NO_CLASSES));
    }
}
