package dev.windowkv.experiments.sweep;

import dev.windowkv.engine.Generator;
import dev.windowkv.engine.backend.Backend;
import dev.windowkv.engine.backend.Backends;
import dev.windowkv.engine.kvcache.KvCache;
import dev.windowkv.engine.kvcache.Policies;
import dev.windowkv.engine.kvcache.TaskType;
import dev.windowkv.engine.model.Model;
import dev.windowkv.engine.model.ModelConfig;
import dev.windowkv.engine.model.PrefillCapture;
import dev.windowkv.experiments.cli.Cli;
import dev.windowkv.experiments.cli.DefaultModel;
import dev.windowkv.experiments.tasks.Haystack;
import dev.windowkv.experiments.tasks.SampleSpec;
import dev.windowkv.experiments.tasks.Task;
import dev.windowkv.experiments.tasks.TaskSample;
import dev.windowkv.experiments.tasks.TaskSuite;
import dev.windowkv.plots.SweepRow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The quantized KV cache end to end on the shipped model: greedy tokens, the sweep's rows and their bytes. */
class QuantizedKvTest {
    @TempDir
    Path dir;

    /**
     * niah_single at 512 tokens, needles at depths 0, 0.5 and 1 (base seed 1), FullKV, 12 greedy
     * tokens: a Q8_0 cache generates the very tokens of an F32 one, and so does Q4_0 on this model.
     */
    @Test
    void q8_0AndQ4_0GenerateTheF32GreedyTokensOnRetrievalPrompts() {
        Cli.useCheckoutAsHome();
        Task task = TaskSuite.byName("niah_single");
        try (Model m = Model.load(DefaultModel.path()); Backend be = Backends.create("vector", 2)) {
            Generator gen = new Generator(m, be);
            int agreeQ4 = 0, total = 0;
            for (double depth : new double[] {0.0, 0.5, 1.0}) {
                TaskSample sample = task.generate(m.tokenizer(), new SampleSpec(512, depth, 1, Haystack.values()[0]));
                int[] prompt = m.tokenizer().encode(sample.prompt(), true, false);
                int[] f32, q8, q4;
                try (PrefillCapture capture = gen.capture(prompt, List.of(Policies.create("full", Map.of())), TaskType.QA)) {
                    f32 = tokens(gen, capture, prompt, KvCache.Dtype.F32);
                    q8 = tokens(gen, capture, prompt, KvCache.Dtype.Q8_0);
                    q4 = tokens(gen, capture, prompt, KvCache.Dtype.Q4_0);
                }
                String text = m.tokenizer().decode(f32);
                assertTrue(sample.expected().stream().anyMatch(text::contains),
                        "F32 must find the needle at depth " + depth + " for the comparison to mean anything: '" + text + "'");
                assertArrayEquals(f32, q8, "Q8_0 vs F32 at depth " + depth);
                for (int i = 0; i < f32.length; i++) if (i < q4.length && q4[i] == f32[i]) agreeQ4++;
                total += f32.length;
                System.out.printf("depth %.1f: F32 %s | Q8_0 %s | Q4_0 %s%n", depth, Arrays.toString(f32), Arrays.toString(q8),
                        Arrays.toString(q4));
            }
            System.out.printf("Q4_0 agrees with F32 on %d of %d greedy tokens%n", agreeQ4, total);
            assertEquals(total, agreeQ4, "Q4_0 greedy tokens vs F32");
        }
    }

    static int[] tokens(Generator gen, PrefillCapture capture, int[] prompt, KvCache.Dtype dtype) {
        Generator.Settings s = new Generator.Settings(12, dev.windowkv.engine.sampling.Sampler.greedy(), dtype, false);
        return gen.generate(capture, prompt, s, Policies.create("full", Map.of()), TaskType.QA, null).tokens();
    }

    /**
     * One sweep holds F16 and Q4_0 rows through each policy entry's own {@code kvDtype}; every row
     * records its dtype and its bytes to the block, and Q4_0 at twice the budget takes fewer bytes
     * than F16 at the budget ("more tokens at lower precision").
     */
    @Test
    void aSweepCrossesPoliciesBudgetsAndKvDtypes() {
        Cli.useCheckoutAsHome();
        SweepConfig c = SweepConfig.defaults(List.of("tasks=[\"niah_single\"]", "lengths=[512]", "depths=[0.5]", "samples=1",
                "threads=2", "maxNewTokens=4", "valueSpans=null", "backendComparison=null", "kvDtype=f16",
                "policies=[{\"policy\":\"full\",\"label\":\"FullKV\",\"kvDtype\":\"f32\"},"
                        + "{\"policy\":\"snapkv\",\"label\":\"SnapKV\",\"budgets\":[64,128]},"
                        + "{\"policy\":\"snapkv\",\"label\":\"SnapKV (Q4_0 KV)\",\"budgets\":[128,256],\"kvDtype\":\"q4_0\"},"
                        + "{\"policy\":\"snapkv\",\"label\":\"SnapKV (Q8_0 KV)\",\"budgets\":[128],\"kvDtype\":\"q8_0\"}]"));
        List<SweepRow> rows;
        try (ResultsFile f = ResultsFile.open(dir.resolve("results.jsonl"))) {
            new SweepRunner(c, Shard.ALL, false).run(f);
            rows = f.rows();
        }
        assertEquals(6, rows.size());
        ModelConfig mc;
        try (Model m = Model.load(DefaultModel.path())) {
            mc = m.config();
        }
        for (SweepRow r : rows) {
            String want = r.label().contains("Q4_0") ? "q4_0" : r.label().contains("Q8_0") ? "q8_0" : r.isFull() ? "f32" : "f16";
            assertEquals(want, r.kvDtype(), r.label());
            long rowBytes = KvCache.Dtype.byId(want).rowBytes(mc.headDim());
            long kept = Arrays.stream(r.tokensKeptPerLayer()).asLongStream().sum();
            assertEquals(kept * mc.nKvHeads() * 2 * rowBytes, r.kvBytes(), r.label() + " at " + r.budget());
        }
        // Every row against one FullKV, counted at the sweep's kvDtype (f16): half what the F32 FullKV row holds.
        long fullF32 = rows.stream().filter(SweepRow::isFull).findFirst().orElseThrow().kvBytes();
        for (SweepRow r : rows) assertEquals(fullF32 / 2, r.fullKvBytes(), r.label());
        SweepRow f16At128 = row(rows, "SnapKV", 128);
        SweepRow q4At256 = row(rows, "SnapKV (Q4_0 KV)", 256);
        assertEquals(2 * Arrays.stream(f16At128.tokensKeptPerLayer()).sum(), Arrays.stream(q4At256.tokensKeptPerLayer()).sum());
        assertTrue(q4At256.kvBytes() < f16At128.kvBytes(),
                "Q4_0 at 256: " + q4At256.kvBytes() + " bytes, F16 at 128: " + f16At128.kvBytes());
        assertTrue(q4At256.kvFraction() < f16At128.kvFraction(), "and on the % of FullKV axis");
        System.out.printf("KV bytes: F16 @128 %d, Q4_0 @256 %d, Q8_0 @128 %d, F16 @64 %d%n", f16At128.kvBytes(),
                q4At256.kvBytes(), row(rows, "SnapKV (Q8_0 KV)", 128).kvBytes(), row(rows, "SnapKV", 64).kvBytes());
    }

    static SweepRow row(List<SweepRow> rows, String label, int budget) {
        return rows.stream().filter(r -> r.label().equals(label) && r.budgetOrZero() == budget).findFirst().orElseThrow();
    }

    @Test
    void anUnknownKvDtypeIsAConfigErrorNamingTheChoices() {
        String top = assertThrows(ConfigError.class, () -> SweepConfig.defaults(List.of("kvDtype=q4_k"))).getMessage();
        assertTrue(top.contains("'kvDtype' must be f32, f16, q8_0 or q4_0, got q4_k"), top);
        String entry = assertThrows(ConfigError.class, () -> SweepConfig.defaults(List.of(
                "policies=[{\"policy\":\"snapkv\",\"label\":\"S\",\"budgets\":[64],\"kvDtype\":\"int4\"}]"))).getMessage();
        assertTrue(entry.contains("policies[0]") && entry.contains("'kvDtype' must be f32, f16, q8_0 or q4_0, got int4"), entry);
    }

    @Test
    void generateTakesAQuantizedKvDtype() {
        Cli.Outcome o = Cli.run("generate", "--model", Cli.shippedModel().toString(), "--prompt", "The code is 4417. The code is",
                "--max-tokens", "3", "--threads", "2", "--kv-dtype", "q4_0");
        assertEquals(0, o.exit(), o.errLines());
        assertTrue(o.err().contains("KV cache after prefill"), o.errLines());
    }
}
