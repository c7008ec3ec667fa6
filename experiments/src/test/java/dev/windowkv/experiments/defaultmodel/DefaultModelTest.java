package dev.windowkv.experiments.defaultmodel;

import dev.windowkv.engine.model.Architecture;
import dev.windowkv.engine.model.Model;
import dev.windowkv.engine.model.ModelConfig;
import dev.windowkv.experiments.cli.Cli;
import dev.windowkv.experiments.cli.DefaultModel;
import dev.windowkv.experiments.sweep.ResultsFile;
import dev.windowkv.experiments.sweep.Shard;
import dev.windowkv.experiments.sweep.SweepConfig;
import dev.windowkv.experiments.sweep.SweepRunner;
import dev.windowkv.plots.SweepRow;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shipped model is fit for its job: with the whole cache it finds the needle, and a policy that
 * drops the middle of the prompt loses needles placed there. Fixed prompts: niah_single at 512 and
 * 1024 tokens, needles at depths 0, 0.5 and 1, base seed 1 (the default sweep's).
 */
class DefaultModelTest {
    @TempDir
    static Path dir;
    static List<SweepRow> rows;

    @BeforeAll
    static void runTheFixedPrompts() {
        Cli.useCheckoutAsHome();
        SweepConfig c = SweepConfig.defaults(List.of("tasks=[\"niah_single\"]", "lengths=[512,1024]", "depths=[0.0,0.5,1.0]",
                "samples=1", "threads=2", "valueSpans=null", "policies=[{\"policy\":\"full\",\"label\":\"FullKV\"},"
                        + "{\"policy\":\"streamingllm\",\"label\":\"StreamingLLM\",\"budgets\":[64]}]"));
        try (ResultsFile f = ResultsFile.open(dir.resolve("results.jsonl"))) {
            new SweepRunner(c, Shard.ALL, false).run(f);
            rows = f.rows();
        }
        assertEquals(12, rows.size(), "2 lengths × 3 depths × 2 policies");
    }

    static double mean(Predicate<SweepRow> which) {
        return rows.stream().filter(which).mapToDouble(SweepRow::score).average().orElseThrow();
    }

    @Test
    void loadsAsAnEightLayerLlamaWithA4096TokenContext() {
        try (Model m = Model.load(DefaultModel.path())) {
            ModelConfig c = m.config();
            assertEquals(Architecture.LLAMA, c.arch());
            assertEquals(8, c.nLayers());
            assertEquals(4096, c.contextLength());
            assertEquals(c.vocabSize(), m.tokenizer().vocabSize());
        }
    }

    @Test
    void fullKvScoresAtLeast0_9OnNiahSingleAt512And1024Tokens() {
        double full = mean(r -> r.isFull());
        assertTrue(full >= 0.9, "FullKV mean score " + full + ": " + rows.stream().filter(SweepRow::isFull)
                .map(r -> r.length() + "@" + r.depth() + " → '" + r.output() + "' want " + r.expected()).toList());
    }

    @Test
    void streamingLlmAtBudget64ScoresAtMost0_5OnMidDepthNeedles() {
        // StreamingLLM keeps the first tokens and the last ones: a needle in the middle is gone.
        double mid = mean(r -> "StreamingLLM".equals(r.policyLabel()) && r.depth() == 0.5);
        double fullMid = mean(r -> r.isFull() && r.depth() == 0.5);
        assertTrue(mid <= 0.5, "StreamingLLM at 64 on mid-depth needles: " + mid);
        assertTrue(fullMid - mid >= 0.5, "clearly below FullKV (" + fullMid + ") on the same prompts: " + mid);
    }
}
