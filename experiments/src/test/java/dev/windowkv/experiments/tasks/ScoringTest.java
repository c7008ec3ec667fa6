package dev.windowkv.experiments.tasks;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ScoringTest {
    @Test
    void singleValueIsAllOrNothing() {
        Task task = TaskSuite.byName("niah_single");
        assertEquals(1.0, task.score(" 7142093.", List.of("7142093")));
        assertEquals(0.0, task.score(" 7142039.", List.of("7142093")));
    }

    @Test
    void multiValueScoresTheFractionFound() {
        Task task = TaskSuite.byName("niah_multivalue");
        List<String> expected = List.of("7142093", "5550123", "8802114", "3019577");
        assertEquals(0.5, task.score(" 7142093. The special magic number for mango is 5550123.", expected));
        assertEquals(1.0, task.score("3019577 8802114 5550123 7142093", expected), "order does not matter");
        assertEquals(0.25, task.score("7142093 7142093 7142093", expected), "repeats count once");
    }

    @Test
    void caseIsIgnored() {
        assertEquals(0.4, TaskSuite.byName("vt").score("var bcdfg, VAR Kmnpq",
                List.of("BCDFG", "KMNPQ", "XZWTR", "HJKLM", "PQRST")), 1e-12);
        assertEquals(1.0, TaskSuite.byName("niah_single_word").score("The word is BANJO.", List.of("banjo")));
    }

    @Test
    void matchIsAPlainSubstringAsInRuler() {
        // A longer digit string containing the value counts: RULER's string_match_all does the same.
        assertEquals(1.0, Scoring.fractionPresent("71420931", List.of("7142093")));
    }

    @Test
    void aggregationScoresTheFractionOfWordsListed() {
        assertEquals(0.3, TaskSuite.byName("cwe").score("bread, cloud, river",
                List.of("bread", "cloud", "river", "stone", "lamp", "chair", "ocean", "forest", "candle", "horse")), 1e-12);
        assertEquals(2.0 / 3, TaskSuite.byName("fwe").score("qxoe, vvbad and more",
                List.of("vvbad", "qxoe", "mlorpt")), 1e-12);
    }

    @Test
    void aLongValueCountsOnlyWholeWithItsPartsInOrder() {
        Task task = TaskSuite.byName("niah_single");
        List<String> expected = List.of("4821 0937 5510");
        assertEquals(1.0, task.score(" 4821 0937 5510. The special", expected));
        assertEquals(0.0, task.score(" 4821 0937.", expected), "the last part lost");
        assertEquals(0.0, task.score(" 4821 5510 0937.", expected), "parts out of order");
        assertEquals(0.0, task.score(" 4821 0937 551", expected), "cut inside the last part");
        assertEquals(0.0, TaskSuite.byName("niah_multikey").score(" 305afb02-f2f8-fee7", List.of("305afb02-f2f8-fee7-6")));
        assertEquals(0.5, TaskSuite.byName("niah_multivalue").score("273444688937 1242269620",
                List.of("273444688937", "124226962094")), "each value counts only whole");
    }

    @Test
    void nothingExpectedIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> Scoring.fractionPresent("x", List.of()));
    }
}
