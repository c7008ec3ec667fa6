package dev.windowkv.experiments.tasks;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SampleLengthTest {
    static Stream<Arguments> tasksLengthsAndHaystacks() {
        return TaskSuite.names().stream().flatMap(task ->
                Stream.of(256, 512, 1024, 2048, 4096).flatMap(length ->
                        Stream.of(Haystack.values()).map(h -> Arguments.of(task, length, h))));
    }

    static Stream<Arguments> longTargets() {
        return Stream.of(Arguments.of("niah_multikey", 32768, Haystack.PROSE),
                Arguments.of("vt", 32768, Haystack.NOISE),
                Arguments.of("cwe", 32768, Haystack.PROSE),
                Arguments.of("fwe", 32768, Haystack.PROSE));
    }

    @ParameterizedTest(name = "{0} at {1} tokens in {2}")
    @MethodSource("longTargets")
    void longPromptsToo(String task, int target, Haystack haystack) {
        promptIsWithinTwoPercentOfTheTarget(task, target, haystack);
    }

    @ParameterizedTest(name = "{0} at {1} tokens in {2}")
    @MethodSource("tasksLengthsAndHaystacks")
    void promptIsWithinTwoPercentOfTheTarget(String task, int target, Haystack haystack) {
        WordTokenizer tokenizer = new WordTokenizer();
        TaskSample sample = TaskSuite.byName(task).generate(tokenizer, new SampleSpec(target, 0.5, 42, haystack));
        assertEquals(tokenizer.encode(sample.prompt()).length, sample.actualTokens(), "actual length is the prompt's");
        assertEquals(target, sample.targetTokens());
        assertTrue(Math.abs(sample.actualTokens() - target) <= 0.02 * target,
                () -> task + " made " + sample.actualTokens() + " tokens for a target of " + target);
    }
}
