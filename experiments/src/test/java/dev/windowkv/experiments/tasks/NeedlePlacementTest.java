package dev.windowkv.experiments.tasks;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NeedlePlacementTest {
    /** Any needle statement of any task. */
    private static final Pattern NEEDLE = Pattern.compile(
            "The special magic \\w+ for \\w+ is \\w+\\.|VAR [A-Z]+ = (VAR [A-Z]+|\\d+)\\.");
    private static final WordTokenizer TOKENIZER = new WordTokenizer();

    @Test
    void needleGoesAtTheNearestSentenceBoundary() {
        // Token lengths 4, 3 and 5: boundaries at offsets 0, 4, 7 and 12.
        List<String> sentences = List.of("A b c.", "D e.", "F g h i.");
        assertEquals("N. A b c. D e. F g h i.", place(sentences, 0.0));
        assertEquals("A b c. N. D e. F g h i.", place(sentences, 0.3)); // 3.6 is nearest 4
        assertEquals("A b c. D e. N. F g h i.", place(sentences, 0.5)); // 6 is nearest 7
        assertEquals("A b c. D e. F g h i. N.", place(sentences, 1.0));
    }

    private static String place(List<String> sentences, double depth) {
        return NeedlePrompt.withNeedles(sentences, List.of(new NeedlePrompt.Needle("N.", depth)), s -> TOKENIZER.encode(s).length);
    }

    static Stream<Arguments> tasksDepthsAndHaystacks() {
        return Stream.of("niah_single", "niah_single_word", "niah_multikey", "niah_multivalue", "niah_multiquery", "vt")
                .flatMap(task -> Stream.of(0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0)
                        .flatMap(depth -> Stream.of(Haystack.values()).map(h -> Arguments.of(task, depth, h))));
    }

    @ParameterizedTest(name = "{0} at depth {1} in {2}")
    @MethodSource("tasksDepthsAndHaystacks")
    void firstNeedleSitsAtTheRequestedTokenDepth(String task, double depth, Haystack haystack) {
        TaskSample sample = TaskSuite.byName(task).generate(TOKENIZER, new SampleSpec(2048, depth, 11, haystack));
        String[] lines = sample.prompt().split("\n");
        assertEquals(3, lines.length, "intro, haystack, question");
        String text = lines[1];
        String target = task.equals("vt")
                ? "VAR " + sample.expected().getFirst() + " = "
                : " is " + sample.expected().getFirst() + ".";
        Matcher needles = NEEDLE.matcher(text);
        int start = -1;
        int end = -1;
        while (needles.find()) {
            if (needles.group().contains(target)) {
                start = needles.start();
                end = needles.end();
            }
        }
        assertTrue(start >= 0, "the asked-for needle is in the haystack");

        String before = withoutNeedles(text.substring(0, start));
        String after = withoutNeedles(text.substring(end));
        assertTrue(before.isEmpty() || before.matches(".*[.!?]"), () -> "a needle follows a whole sentence: " + tail(before));
        assertTrue(after.isEmpty() || Character.isUpperCase(after.charAt(0)), () -> "a sentence follows a needle: " + after);
        if (depth == 0.0) {
            assertEquals("", before, "depth 0 is the very start of the haystack");
        }
        if (depth == 1.0) {
            assertEquals("", after, "depth 1 is the very end of the haystack");
        }

        int position = tokens(before);
        int total = position + tokens(after);
        int longestSentence = Arrays.stream((before + " " + after).split("(?<=[.!?]) "))
                .mapToInt(NeedlePlacementTest::tokens).max().orElse(0);
        assertTrue(Math.abs(position - depth * total) <= longestSentence,
                () -> "needle at token " + position + " of " + total + ", asked for depth " + depth);
    }

    @Test
    void variableChainIsHiddenInOrderFromTheRequestedDepth() {
        TaskSample sample = TaskSuite.byName("vt").generate(TOKENIZER, new SampleSpec(2048, 0.4, 5, Haystack.PROSE));
        List<String> names = sample.expected();
        int previous = -1;
        for (int i = 1; i < names.size(); i++) {
            int at = sample.prompt().indexOf("VAR " + names.get(i) + " = VAR " + names.get(i - 1) + ".");
            assertTrue(at > previous, "link " + i + " comes after link " + (i - 1));
            previous = at;
        }
    }

    private static String withoutNeedles(String text) {
        return NEEDLE.matcher(text).replaceAll("").replaceAll("\\s+", " ").strip();
    }

    private static int tokens(String text) {
        return TOKENIZER.encode(text).length;
    }

    private static String tail(String s) {
        return s.substring(Math.max(0, s.length() - 20));
    }
}
