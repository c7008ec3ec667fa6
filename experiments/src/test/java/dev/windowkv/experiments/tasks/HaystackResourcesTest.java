package dev.windowkv.experiments.tasks;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HaystackResourcesTest {
    private static Set<String> wordsOf(String text) {
        return Arrays.stream(text.toLowerCase(Locale.ROOT).split("[^a-z]+")).filter(w -> !w.isEmpty()).collect(Collectors.toSet());
    }

    @Test
    void haystacksHaveNoDigitsAndNoNeedlePhrasing() {
        for (Haystack kind : Haystack.values()) {
            for (long seed : List.of(1L, 2L, 3L)) {
                String text = String.join(" ", new HaystackStream(kind, seed).firstWords(20_000));
                assertFalse(text.matches("(?s).*\\d.*"), kind + " has a digit");
                assertFalse(text.toLowerCase(Locale.ROOT).contains("special"), kind + " says special");
                assertFalse(text.toLowerCase(Locale.ROOT).contains("magic"), kind + " says magic");
                assertFalse(text.contains("VAR"), kind + " says VAR");
            }
        }
    }

    @Test
    void samplePromptsHaveDigitsOnlyInNeedlesAndQuestion() {
        TaskSample s = TaskSuite.byName("niah_multikey").generate(new WordTokenizer(), new SampleSpec(4096, 0.5, 3, Haystack.NOISE));
        String haystack = s.prompt().split("\n")[1].replaceAll("The special magic number for \\w+ is \\d+\\.", "");
        assertFalse(haystack.matches(".*\\d.*"));
    }

    @Test
    void proseIsAFewThousandWordsOfSentences() {
        List<String> sentences = Lexicon.proseSentences();
        int words = sentences.stream().mapToInt(s -> s.split(" ").length).sum();
        assertTrue(words >= 3000 && words <= 5000, words + " words");
        assertTrue(sentences.stream().allMatch(s -> s.matches("[A-Z].*[.!?]")), "whole sentences");
    }

    @Test
    void keysAndValuesNeverOccurInTheFiller() {
        Set<String> filler = new HashSet<>(wordsOf(String.join(" ", Lexicon.proseSentences())));
        filler.addAll(Lexicon.commonWords());
        List<String> clashes = new ArrayList<>();
        for (String w : Lexicon.keyWords()) {
            if (filler.contains(w)) {
                clashes.add(w);
            }
        }
        for (String w : Lexicon.valueWords()) {
            if (filler.contains(w) || Lexicon.keyWords().contains(w)) {
                clashes.add(w);
            }
        }
        assertEquals(List.of(), clashes);
    }

    @Test
    void wordListsAreLowerCaseLettersWithoutRepeats() {
        for (List<String> list : List.of(Lexicon.keyWords(), Lexicon.valueWords(), Lexicon.commonWords())) {
            assertTrue(list.stream().allMatch(w -> w.matches("[a-z]+")));
            assertEquals(list.size(), new HashSet<>(list).size());
        }
    }
}
