package dev.windowkv.experiments.training;

import dev.windowkv.engine.model.Model;
import dev.windowkv.engine.tokenizer.Tokenizer;
import dev.windowkv.experiments.cli.Cli;
import dev.windowkv.experiments.cli.DefaultModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The training samples are the suite's prompts with their answers, and hold the evaluation's out. */
class TrainingDataTest {
    static Model model;
    static Tokenizer tok;

    @BeforeAll
    static void load() {
        Cli.useCheckoutAsHome();
        model = Model.load(DefaultModel.path());
        tok = model.tokenizer();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static String text(int[] ids, int from, int to) {
        return tok.decode(Arrays.copyOfRange(ids, from, to));
    }

    @Test
    void trainingSamplesEndWithTheAnswerAndNeverUseTheHeldOutPhrasingOrProse() {
        for (int i = 0; i < 12; i++) {
            TrainingData.Sample s = TrainingData.sample(tok, 1, 256, i, false);
            String prompt = text(s.tokens(), 1, s.answerStart());
            String answer = text(s.tokens(), s.answerStart(), s.tokens().length);
            assertEquals(tok.bos(), s.tokens()[0]);
            assertFalse(prompt.contains(TrainingPhrasing.HELD_OUT), prompt);
            assertTrue(answer.startsWith(" ") && answer.endsWith("."), answer);
            // The needle says the answer: the prompt holds it once more, before the question.
            String value = answer.substring(1, answer.length() - 1);
            assertTrue(prompt.contains(" is " + value + "."), value + " not in " + prompt);
            assertTrue(TrainingData.TASKS.contains(s.task()));
        }
    }

    @Test
    void heldOutSamplesUseTheSuitesPhrasing() {
        TrainingData.Sample s = TrainingData.sample(tok, 7, 256, 0, true);
        assertTrue(text(s.tokens(), 1, s.answerStart()).contains("The special magic number for"));
        assertTrue(List.of("niah_single", "niah_multikey").contains(s.task()));
    }

    @Test
    void theCommandWritesTokensAndAnIndexThatAgree(@TempDir Path out) throws Exception {
        Cli.Outcome o = Cli.run("training-data", "--out", out.toString(), "--length", "200", "--samples", "3", "--seed", "5");
        assertEquals(0, o.exit(), o.errLines());
        List<String> index = Files.readAllLines(out.resolve("index-L200.csv"));
        assertEquals(4, index.size());
        ByteBuffer ids = ByteBuffer.wrap(Files.readAllBytes(out.resolve("tokens-L200.u16"))).order(ByteOrder.LITTLE_ENDIAN);
        String[] last = index.get(3).split(",");
        assertEquals(ids.capacity() / 2, Long.parseLong(last[0]) + Long.parseLong(last[1]));
        TrainingData.Sample third = TrainingData.sample(tok, 5, 200, 2, false);
        assertEquals(third.tokens()[third.tokens().length - 1], ids.getShort(ids.capacity() - 2) & 0xFFFF);
        assertEquals(tok.vocabSize() + "", Files.readString(out.resolve("vocab.txt")).trim());
    }

    @Test
    void aTooShortLengthIsOneLine(@TempDir Path out) {
        Cli.Outcome o = Cli.run("training-data", "--out", out.toString(), "--length", "10");
        assertEquals(2, o.exit());
        assertTrue(o.errLines().contains("--length must be at least 128"), o.errLines());
    }
}
