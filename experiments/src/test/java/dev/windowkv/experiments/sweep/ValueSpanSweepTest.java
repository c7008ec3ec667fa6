package dev.windowkv.experiments.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code valueSpans}: an axis of the niah tasks, validated before anything runs and recorded per row. */
class ValueSpanSweepTest {
    @TempDir
    Path dir;

    static final String BASE = """
            {"name": "t", "models": ["default"], "backend": "vector", "tasks": ["niah_single", "cwe"],
             "lengths": [256], "depths": [0.0, 1.0], "samples": 2, "seed": 1,
             "policies": [{"policy": "full", "label": "FullKV"}]}
            """;

    SweepConfig load(String... overrides) throws java.io.IOException {
        Path config = dir.resolve("sweep.json");
        Files.writeString(config, BASE);
        return SweepConfig.load(config, List.of(overrides));
    }

    String error(String... overrides) {
        return assertThrows(ConfigError.class, () -> load(overrides)).getMessage();
    }

    @Test
    void badSpansAreRefusedNamingTheKey() throws Exception {
        for (String[] bad : List.of(new String[] {"valueSpans=[0]", "1-64"}, new String[] {"valueSpans=[65]", "1-64"},
                new String[] {"valueSpans=[4, 4]", "twice"}, new String[] {"valueSpans=[]", "empty"})) {
            String m = error(bad[0]);
            assertTrue(m.contains("'valueSpans'") && m.contains(bad[1]), m);
            assertEquals(1, m.lines().count(), m);
        }
        String tooShort = error("valueSpans=[4, 32]", "maxNewTokens=16");
        assertTrue(tooShort.contains("32") && tooShort.contains("maxNewTokens"), tooShort);
        // Without a niah task the spans are unused (a LongBench-only run of the default config, say).
        SweepConfig noNeedle = load("valueSpans=[8]", "maxNewTokens=4", "tasks=[\"cwe\", \"vt\"]");
        assertTrue(new SweepRunner(noNeedle, Shard.ALL, false).cells().stream().allMatch(c -> c.valueSpan() == null));
    }

    @Test
    void theAxisMultipliesTheNiahCellsOnlyAndANullEntryIsTheTaskOwnValue() throws Exception {
        SweepConfig c = load("valueSpans=[null, 4, 16]");
        assertEquals(Arrays.asList(null, 4, 16), c.valueSpans());
        List<Cell> cells = new SweepRunner(c, Shard.ALL, false).cells();
        List<Cell> niah = cells.stream().filter(x -> x.task().equals("niah_single")).toList();
        List<Cell> cwe = cells.stream().filter(x -> x.task().equals("cwe")).toList();
        assertEquals(2 * 3 * 2, niah.size(), "depths × spans × samples");
        assertEquals(2, cwe.size(), "cwe has no needle value: no span axis");
        assertTrue(cwe.stream().allMatch(x -> x.valueSpan() == null));
        assertEquals(niah.size(), new HashSet<>(niah.stream().map(Cell::seed).toList()).size(), "every cell its own prompt");

        // Without the key, cells (and so prompts and row keys of old results files) are what they were.
        List<Cell> before = new SweepRunner(load(), Shard.ALL, false).cells();
        for (Cell old : before) {
            assertEquals(Cell.of(old.model(), old.task(), old.length(), old.depth(), old.sample(), 1).seed(), old.seed());
            assertTrue(cells.stream().anyMatch(x -> x.seed() == old.seed() && x.valueSpan() == null),
                    "a null span keeps the cell of a sweep without spans");
        }
        assertNotEquals(Cell.of("m", "niah_single", 256, 0.5, 4, 0, 1).seed(), Cell.of("m", "niah_single", 256, 0.5, 8, 0, 1).seed());
    }

    @Test
    void theShippedSpanConfigIsValidAndAsLargeAsTheReadmeSays() {
        Path shipped = Path.of("configs/value-span.json");
        if (!Files.exists(shipped)) shipped = Path.of("experiments/configs/value-span.json");
        SweepConfig c = SweepConfig.load(shipped, List.of());
        SweepRunner runner = new SweepRunner(c, Shard.ALL, false);
        assertEquals(60, runner.cells().size());
        assertEquals(420, runner.cells().size() * runner.plan().runs().size());
    }

    @Test
    void theDefaultSweepRunsEveryNiahPromptAlsoWithAValueLongerThanSnapKvsKernel() {
        SweepConfig c = SweepConfig.defaults(List.of());
        assertTrue(c.valueSpans().contains(null), "the tasks' own values stay");
        assertTrue(c.valueSpans().stream().anyMatch(s -> s != null && s > 7), c.valueSpans().toString());
        SweepRunner runner = new SweepRunner(c, Shard.ALL, false);
        assertEquals(4_620, runner.cells().size() * runner.plan().runs().size(), "the README's row count");
    }

    @Test
    void everyRowRecordsTheRealisedSpan() {
        Path out = dir.resolve("run");
        TinySweep.run(out, "--set", "valueSpans=[null, 2, 6]", "--set", "maxNewTokens=8", "--set", "depths=[0.5]",
                "--set", "policies=[{\"policy\":\"full\",\"label\":\"FullKV\"}]");
        List<JsonNode> rows = Rows.withoutTimings(out.resolve("results.jsonl"));
        assertEquals(3, rows.size());
        Map<Integer, String> bySpan = new TreeMap<>();
        List<Integer> spans = new ArrayList<>();
        for (JsonNode r : rows) {
            spans.add(r.get("valueSpan").asInt());
            bySpan.put(r.get("valueSpan").asInt(), r.get("expected").get(0).asText());
            assertEquals(1.0, r.get("score").asDouble(), "FullKV copies the whole value: " + r);
        }
        assertEquals(List.of(4, 2, 6), spans, "the passkey's own 4 tokens, then the asked spans");
        assertTrue(bySpan.get(6).contains(" "), "a multi-part number: " + bySpan);
    }
}
