package dev.windowkv.experiments.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code windowkv task} prints a sample's prompt and answers, and refuses bad input in one line. */
class TaskCommandTest {
    @Test
    void printsThePromptOnStdoutAndTheAnswerOnStderr() {
        Cli.useCheckoutAsHome();
        Cli.Outcome o = Cli.run("task", "niah_single", "--length", "300", "--depth", "0.5", "--seed", "4");
        assertEquals(0, o.exit(), o.err());
        assertTrue(o.out().endsWith(" is"), "the prompt ends with the answer prefix");
        String expected = o.errLines().replaceAll("(?s).*expected \\[(\\d+)]].*", "$1");
        assertTrue(o.out().contains("is " + expected + "."), "the needle holds the expected value " + expected);
    }

    @Test
    void aValueSpanIsAskedForAndReported() {
        Cli.useCheckoutAsHome();
        Cli.Outcome o = Cli.run("task", "niah_single", "--length", "300", "--seed", "4", "--value-span", "9");
        assertEquals(0, o.exit(), o.err());
        assertTrue(o.errLines().contains("| value span 9 tokens |"), o.errLines());
        String expected = o.errLines().replaceAll("(?s).*expected \\[([0-9 ]+)]].*", "$1");
        assertTrue(expected.contains(" "), "a multi-part number: " + expected);
        assertTrue(o.out().contains("is " + expected + "."), "the needle holds the expected value " + expected);
        Cli.Outcome bad = Cli.run("task", "niah_single", "--value-span", "0");
        assertEquals(2, bad.exit());
        assertTrue(bad.errLines().contains("value span must be between 1 and 64"), bad.errLines());
    }

    @Test
    void anUnknownTaskOrABadDepthIsOneLineAndExitTwo() {
        Cli.useCheckoutAsHome();
        for (String[] args : new String[][] {{"task", "niah_nope"}, {"task", "niah_single", "--depth", "1.5"},
                {"task", "niah_single", "--haystack", "lorem"}}) {
            Cli.Outcome o = Cli.run(args);
            assertEquals(2, o.exit(), String.join(" ", args));
            assertEquals(1, o.errLines().lines().count(), o.errLines());
            assertTrue(o.errLines().startsWith("windowkv: "), o.errLines());
        }
    }
}
