package dev.windowkv.experiments.tasks;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExpectedAnswersTest {
    private static final Pattern MAGIC = Pattern.compile("The special magic (\\w+) for (\\w+) is (\\w+)\\.");

    private static TaskSample sample(String task, long seed) {
        return TaskSuite.byName(task).generate(new WordTokenizer(), new SampleSpec(1024, 0.5, seed, Haystack.PROSE));
    }

    /** Key and value of every magic needle, in prompt order. */
    private static List<String[]> needles(String prompt) {
        List<String[]> out = new ArrayList<>();
        Matcher m = MAGIC.matcher(prompt);
        while (m.find()) {
            out.add(new String[] {m.group(1), m.group(2), m.group(3)});
        }
        return out;
    }

    private static int occurrences(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            count++;
        }
        return count;
    }

    @Test
    void passkeyIsSevenDigitsStatedOnceAndAskedWithTheNeedlesWords() {
        for (long seed = 1; seed <= 5; seed++) {
            TaskSample s = sample("niah_single", seed);
            List<String[]> needles = needles(s.prompt());
            assertEquals(1, needles.size());
            String key = needles.getFirst()[1];
            String value = s.expected().getFirst();
            assertTrue(value.matches("[1-9]\\d{6}"), value);
            assertEquals(value, needles.getFirst()[2]);
            assertEquals(1, occurrences(s.prompt(), value), "the value appears only in its needle");
            assertTrue(Lexicon.keyWords().contains(key), key);
            assertTrue(s.prompt().endsWith("\nWhat is the special magic number for " + key
                    + "? The special magic number for " + key + " is"), s.prompt());
        }
    }

    @Test
    void wordValueIsAValueWordStatedOnce() {
        TaskSample s = sample("niah_single_word", 3);
        List<String[]> needles = needles(s.prompt());
        assertEquals(1, needles.size());
        assertEquals("word", needles.getFirst()[0]);
        String value = s.expected().getFirst();
        assertTrue(Lexicon.valueWords().contains(value), value);
        assertEquals(1, occurrences(s.prompt().toLowerCase(), value));
        assertTrue(s.prompt().endsWith("The special magic word for " + needles.getFirst()[1] + " is"));
    }

    @Test
    void multiKeyDistractorsHaveOtherKeysAndOtherValues() {
        for (long seed = 1; seed <= 5; seed++) {
            TaskSample s = sample("niah_multikey", seed);
            List<String[]> needles = needles(s.prompt());
            assertEquals(4, needles.size());
            String value = s.expected().getFirst();
            assertEquals(List.of(value), s.expected());
            String key = needles.stream().filter(n -> n[2].equals(value)).findFirst().orElseThrow()[1];
            assertEquals(4, new HashSet<>(needles.stream().map(n -> n[1]).toList()).size(), "four different keys");
            assertEquals(4, new HashSet<>(needles.stream().map(n -> n[2]).toList()).size(), "four different values");
            for (String[] n : needles) {
                assertEquals(1, occurrences(s.prompt(), n[2]), "each value is stated once");
            }
            assertTrue(s.prompt().endsWith("The special magic number for " + key + " is"));
        }
    }

    @Test
    void multiValueStatesEveryExpectedValueForOneKey() {
        TaskSample s = sample("niah_multivalue", 9);
        List<String[]> needles = needles(s.prompt());
        assertEquals(4, s.expected().size());
        assertEquals(new HashSet<>(s.expected()), new HashSet<>(needles.stream().map(n -> n[2]).toList()));
        String key = needles.getFirst()[1];
        assertTrue(needles.stream().allMatch(n -> n[1].equals(key)), "one key");
        assertTrue(s.prompt().endsWith("\nWhat are all the special magic numbers for " + key
                + "? The special magic number for " + key + " is"));
    }

    @Test
    void multiQueryAsksEveryKeyAndPrefixesTheFirst() {
        TaskSample s = sample("niah_multiquery", 9);
        Map<String, String> valueOfKey = new HashMap<>();
        needles(s.prompt()).forEach(n -> valueOfKey.put(n[1], n[2]));
        assertEquals(4, valueOfKey.size());
        String question = s.prompt().substring(s.prompt().lastIndexOf('\n') + 1);
        Matcher asked = Pattern.compile("What are the special magic numbers for (\\w+), (\\w+), (\\w+) and (\\w+)\\? "
                + "The special magic number for (\\w+) is").matcher(question);
        assertTrue(asked.matches(), question);
        List<String> keys = List.of(asked.group(1), asked.group(2), asked.group(3), asked.group(4));
        assertEquals(keys.getFirst(), asked.group(5));
        assertEquals(keys.stream().map(valueOfKey::get).toList(), s.expected(), "values in the order asked");
    }

    @Test
    void variableChainBindsEveryExpectedNameToTheValue() {
        TaskSample s = sample("vt", 4);
        List<String> names = s.expected();
        assertEquals(5, names.size());
        Matcher question = Pattern.compile("assigned the value (\\d{5}) in the text above").matcher(s.prompt());
        assertTrue(question.find());
        String value = question.group(1);
        assertEquals(1, occurrences(s.prompt(), "VAR " + names.getFirst() + " = " + value + "."));
        for (int i = 1; i < names.size(); i++) {
            assertEquals(1, occurrences(s.prompt(), "VAR " + names.get(i) + " = VAR " + names.get(i - 1) + "."));
        }
        assertTrue(names.stream().allMatch(n -> n.matches("[BCDFGHJKLMNPQRSTVWXZ]{5}")), names.toString());
        assertEquals(5, occurrences(s.prompt(), " = "), "only the chain assigns");
    }

    @Test
    void commonWordsEachOutnumberEveryOtherWord() {
        for (int target : List.of(256, 4096)) {
            TaskSample s = TaskSuite.byName("cwe").generate(new WordTokenizer(), new SampleSpec(target, 0.5, 8, Haystack.PROSE));
            Map<String, Integer> counts = wordCounts(s.prompt().split("\n")[1].split(", "));
            assertEquals(10, s.expected().size());
            int leastCommon = s.expected().stream().mapToInt(counts::get).min().orElseThrow();
            int mostOther = counts.entrySet().stream().filter(e -> !s.expected().contains(e.getKey()))
                    .mapToInt(Map.Entry::getValue).max().orElseThrow();
            assertTrue(leastCommon > mostOther, leastCommon + " vs " + mostOther);
        }
    }

    @Test
    void frequentWordsAreTheTopThreeStrictly() {
        TaskSample s = TaskSuite.byName("fwe").generate(new WordTokenizer(), new SampleSpec(1024, 0.5, 8, Haystack.PROSE));
        Map<String, Integer> counts = wordCounts(s.prompt().split("\n")[1].split(" "));
        List<Integer> sorted = counts.values().stream().sorted((a, b) -> b - a).toList();
        assertEquals(sorted.subList(0, 3), s.expected().stream().map(counts::get).toList(), "expected in rank order");
        assertTrue(sorted.get(2) > sorted.get(3), "the third is strictly ahead of the fourth");
    }

    @Test
    void noExpectedWordHidesInsideAnother() {
        for (String task : List.of("cwe", "fwe")) {
            TaskSample s = sample(task, 13);
            String[] list = s.prompt().split("\n")[1].split(",? ");
            for (String e : s.expected()) {
                assertFalse(Arrays.stream(list).anyMatch(w -> !w.equals(e) && w.contains(e)), task + ": " + e);
            }
        }
    }

    private static Map<String, Integer> wordCounts(String[] words) {
        Map<String, Integer> counts = new HashMap<>();
        for (String w : words) {
            counts.merge(w, 1, Integer::sum);
        }
        return counts;
    }
}
