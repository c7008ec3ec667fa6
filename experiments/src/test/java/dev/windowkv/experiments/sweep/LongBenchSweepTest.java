package dev.windowkv.experiments.sweep;

import dev.windowkv.experiments.cli.Cli;
import dev.windowkv.plots.SweepRow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A sweep over LongBench files runs end to end on the shipped model: the rows carry the dataset,
 * its task label, LongBench's metric, and a prompt middle-truncated to the configured length.
 */
class LongBenchSweepTest {
    @TempDir
    Path dir;

    @Test
    void aPassageRetrievalFileIsRunScoredAndTruncated() throws Exception {
        Path data = Files.createDirectories(dir.resolve("longbench"));
        // Two samples; the second's reference answer appears nowhere in its context, so any output
        // of the model scores 0 under qa_f1.
        String ok = "{\"input\": \"What is the special magic number for apple?\", "
                + "\"context\": \"The grass is green. The special magic number for apple is 7142093. The sky is blue.\", "
                + "\"answers\": [\"7142093\"], \"all_classes\": null, \"length\": 20, \"dataset\": \"hotpotqa\", "
                + "\"language\": \"en\", \"_id\": \"a\"}";
        String miss = ok.replace("7142093\"]", "1111111\"]").replace("\"_id\": \"a\"", "\"_id\": \"b\"");
        Files.writeString(data.resolve("hotpotqa.jsonl"), ok + "\n" + miss + "\n");
        Cli.useCheckoutAsHome();
        Path out = dir.resolve("out");
        Cli.Outcome o = Cli.run("sweep", "--set", "name=lb", "--set", "tasks=[]", "--set", "maxNewTokens=8",
                "--set", "backendComparison=null",
                "--set", "longbench={\"data\":\"" + data + "\",\"datasets\":[\"hotpotqa\"],\"maxInputTokens\":96}",
                "--set", "policies=[{\"policy\":\"full\",\"label\":\"FullKV\"},"
                        + "{\"policy\":\"snapkv\",\"label\":\"SnapKV\",\"budgets\":[48]}]",
                "--no-progress", "--no-plots", "--out", out.toString());
        assertEquals(0, o.exit(), o.err());
        List<SweepRow> rows = ResultsFile.read(out.resolve("results.jsonl"));
        assertEquals(4, rows.size(), "2 samples × 2 policies");
        for (SweepRow r : rows) {
            assertEquals("hotpotqa", r.task());
            assertEquals("QA", r.taskType(), "hotpotqa is a QA set for WindowKV's label");
            assertTrue(r.length() <= 96, "prompt middle-truncated to 96 tokens, got " + r.length());
        }
        assertTrue(rows.stream().filter(r -> r.sample() == 1).allMatch(r -> r.score() == 0.0),
                "the unanswerable sample scores 0 under qa_f1");
    }
}
