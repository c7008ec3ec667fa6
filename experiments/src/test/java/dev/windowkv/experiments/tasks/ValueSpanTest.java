package dev.windowkv.experiments.tasks;

import dev.windowkv.engine.model.Model;
import dev.windowkv.engine.tokenizer.Tokenizer;
import dev.windowkv.experiments.cli.Cli;
import dev.windowkv.experiments.cli.DefaultModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Values of a set span in the default model's tokens: the span is exact, the tokens after the answer
 * prefix spell the value and nothing else, and the values stay scoreable (distinct, none inside
 * another) and copyable (no repeated run of three tokens).
 */
class ValueSpanTest {
    private static final List<String> SPAN_TASKS =
            List.of("niah_single", "niah_single_word", "niah_multikey", "niah_multivalue", "niah_multiquery");
    private static final Pattern STATEMENT = Pattern.compile("(The special magic (?:number|word) for (\\w+) is) ([^.]+)\\.");

    private static Model model;
    private static Tokenizer tokenizer;

    @BeforeAll
    static void loadTheDefaultModel() {
        Cli.useCheckoutAsHome();
        model = Model.load(DefaultModel.path());
        tokenizer = model.tokenizer();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static Stream<Arguments> tasksAndSpans() {
        return SPAN_TASKS.stream().flatMap(t -> Stream.of(2, 3, 4, 5, 8, 13, 16, 32).map(s -> Arguments.of(t, s)));
    }

    /** Every needle statement in the prompt, as answer prefix → value. */
    static List<String[]> statements(String prompt) {
        List<String[]> out = new ArrayList<>();
        Matcher m = STATEMENT.matcher(prompt);
        while (m.find()) {
            if (!prompt.startsWith("? ", m.start() - 2)) { // the answer prefix after the question is not a needle
                out.add(new String[] {m.group(1), m.group(3)});
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0} at span {1}")
    @MethodSource("tasksAndSpans")
    void everyValueSpansExactlyTheAskedTokensOfTheDefaultModel(String task, int span) {
        for (long seed = 1; seed <= 4; seed++) {
            TaskSample s = TaskSuite.byName(task).generate(tokenizer, new SampleSpec(512, 0.5, seed, Haystack.PROSE, span));
            assertEquals(span, s.valueSpan(), task + " seed " + seed + " records the asked span");
            List<String[]> needles = statements(s.prompt());
            assertFalse(needles.isEmpty(), "needles found in the prompt");
            for (String[] needle : needles) {
                int[] ids = tokenizer.encode(needle[0] + " " + needle[1]);
                int[] prefix = tokenizer.encode(needle[0]);
                assertEquals(span, ids.length - prefix.length, () -> "'" + needle[1] + "' in " + task);
                // The span's tokens spell the value, its separating space included, and nothing of the prefix.
                assertEquals(" " + needle[1], tokenizer.decode(Arrays.copyOfRange(ids, prefix.length, ids.length)));
                assertArrayPrefix(prefix, ids);
                assertNoRepeatedRunOfThree(ids, prefix.length, needle[1]);
            }
            for (String e : s.expected()) {
                assertTrue(needles.stream().anyMatch(n -> n[1].equals(e)), "expected value " + e + " is a needle's whole value");
            }
            List<String> values = needles.stream().map(n -> n[1]).toList();
            for (int i = 0; i < values.size(); i++) {
                for (int j = 0; j < values.size(); j++) {
                    if (i != j) {
                        assertFalse(values.get(i).contains(values.get(j)), values + ": one value inside another");
                    }
                }
            }
        }
    }

    private static void assertArrayPrefix(int[] prefix, int[] ids) {
        assertEquals(Arrays.toString(prefix), Arrays.toString(Arrays.copyOf(ids, prefix.length)),
                "the answer prefix tokenizes the same with the value after it");
    }

    private static void assertNoRepeatedRunOfThree(int[] ids, int valueStart, String value) {
        Set<List<Integer>> seen = new HashSet<>();
        for (int end = valueStart; end <= ids.length; end++) {
            List<Integer> run = List.of(ids[end - 3], ids[end - 2], ids[end - 1]);
            assertTrue(seen.add(run), "'" + value + "' repeats a run of three tokens");
        }
    }

    @Test
    void theValueKindsAreTheAdvertisedShapes() {
        SampleSpec spec = new SampleSpec(512, 0.5, 7, Haystack.PROSE, 16);
        assertTrue(only(spec, "niah_single").matches("[1-9][0-9]{0,3}( [0-9]{1,4})+"), only(spec, "niah_single"));
        assertTrue(only(spec, "niah_single_word").matches("[a-z]+( [a-z]+){15}"), only(spec, "niah_single_word"));
        assertTrue(only(spec, "niah_multikey").matches("[0-9a-f]{8}-[0-9a-f]{1,4}(-[0-9a-f]{1,4})*"), only(spec, "niah_multikey"));
        for (String v : TaskSuite.byName("niah_multivalue").generate(tokenizer, spec).expected()) {
            assertTrue(v.matches("[1-9][0-9]+"), v);
        }
    }

    private static String only(SampleSpec spec, String task) {
        return TaskSuite.byName(task).generate(tokenizer, spec).expected().getFirst();
    }

    @Test
    void aSpanOfOneIsAWordOrAHexDigitAndANumberRecordsTheTwoTokensItNeeds() {
        // The Llama-3 pre-tokenizer splits the space before a digit into a token of its own.
        SampleSpec one = new SampleSpec(512, 0.5, 3, Haystack.PROSE, 1);
        assertEquals(1, TaskSuite.byName("niah_single_word").generate(tokenizer, one).valueSpan());
        assertEquals(1, TaskSuite.byName("niah_multikey").generate(tokenizer, one).valueSpan());
        TaskSample number = TaskSuite.byName("niah_single").generate(tokenizer, one);
        assertEquals(2, number.valueSpan(), "realised span, not the asked one");
        assertTrue(number.expected().getFirst().matches("[1-9]"), number.expected().toString());
    }

    @Test
    void withoutASpanTheTasksKeepTheirOwnValuesAndRecordTheirSpan() {
        SampleSpec spec = new SampleSpec(512, 0.5, 11, Haystack.PROSE);
        TaskSample passkey = TaskSuite.byName("niah_single").generate(tokenizer, spec);
        assertTrue(passkey.expected().getFirst().matches("[1-9][0-9]{6}"), passkey.expected().toString());
        assertEquals(4, passkey.valueSpan(), "a space and the chunks 3+3+1 of a 7-digit passkey");
        assertEquals(passkey, TaskSuite.byName("niah_single").generate(tokenizer, new SampleSpec(512, 0.5, 11, Haystack.PROSE, null)));
        assertEquals(1, TaskSuite.byName("niah_single_word").generate(tokenizer, spec).valueSpan());
        assertNull(TaskSuite.byName("vt").generate(tokenizer, spec).valueSpan());
        assertNull(TaskSuite.byName("cwe").generate(tokenizer, spec).valueSpan());
        assertFalse(TaskSuite.byName("vt").takesValueSpan());
        assertFalse(TaskSuite.byName("fwe").takesValueSpan());
        assertTrue(SPAN_TASKS.stream().allMatch(t -> TaskSuite.byName(t).takesValueSpan()));
    }

    @Test
    void aSpanIsDeterministicAndChangesTheValueOnly() {
        SampleSpec a = new SampleSpec(1024, 0.25, 5, Haystack.NOISE, 12);
        TaskSample first = TaskSuite.byName("niah_multikey").generate(tokenizer, a);
        assertEquals(first, TaskSuite.byName("niah_multikey").generate(tokenizer, a));
        TaskSample other = TaskSuite.byName("niah_multikey").generate(tokenizer, new SampleSpec(1024, 0.25, 5, Haystack.NOISE, 20));
        assertNotEquals(first.expected(), other.expected());
        assertEquals(20, other.valueSpan());
    }

    @Test
    void anotherTokenizerGetsItsOwnExactSpansToo() {
        WordTokenizer words = new WordTokenizer();
        for (String task : SPAN_TASKS) {
            for (int span : List.of(1, 6, 17)) {
                TaskSample s = TaskSuite.byName(task).generate(words, new SampleSpec(512, 0.5, 2, Haystack.PROSE, span));
                int realised = SpanValue.measure(words, statements(s.prompt()).getFirst()[0], statements(s.prompt()).getFirst()[1]);
                assertEquals(realised, statements(s.prompt()).stream()
                        .filter(n -> s.expected().contains(n[1])).mapToInt(n -> SpanValue.measure(words, n[0], n[1])).max().orElseThrow(),
                        task + ": the recorded span is measured");
                assertEquals(span, s.valueSpan(), task + " at " + span);
            }
        }
    }

    @Test
    void aSpanOutsideOneToSixtyFourIsRefused() {
        assertThrows(SampleSpecError.class, () -> new SampleSpec(512, 0.5, 1, Haystack.PROSE, 0));
        assertThrows(SampleSpecError.class, () -> new SampleSpec(512, 0.5, 1, Haystack.PROSE, 65));
        assertEquals(64, new SampleSpec(512, 0.5, 1, Haystack.PROSE, 64).valueSpan());
    }
}
