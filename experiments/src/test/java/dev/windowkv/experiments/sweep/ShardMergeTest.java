package dev.windowkv.experiments.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import dev.windowkv.experiments.cli.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShardMergeTest {
    @TempDir
    Path dir;

    @Test
    void twoShardsMergedGiveTheRowsOfOneUnshardedRun() {
        Path shards = dir.resolve("shards");
        TinySweep.run(shards, "--shard", "1/2");
        Cli.Outcome second = TinySweep.run(shards, "--shard", "2/2");
        assertTrue(second.err().contains("windowkv merge"), "a shard says how to join the shards: " + second.err());
        Path s1 = shards.resolve("results.shard1of2.jsonl");
        Path s2 = shards.resolve("results.shard2of2.jsonl");
        assertFalse(Files.exists(shards.resolve("results.jsonl")), "a shard writes only its own file");

        // 3 cells of 3 rows: shard 1 runs cells 0 and 2 (depths 0 and 1), shard 2 runs cell 1 (depth 0.5).
        List<JsonNode> a = Rows.withoutTimings(s1);
        List<JsonNode> b = Rows.withoutTimings(s2);
        assertEquals(6, a.size());
        assertEquals(3, b.size());
        assertTrue(b.stream().allMatch(r -> r.get("depth").asDouble() == 0.5), b.toString());

        Path merged = dir.resolve("merged");
        Cli.Outcome m = Cli.run("merge", "--no-plots", "--out", merged.toString(), s1.toString(), s2.toString());
        assertEquals(0, m.exit(), m.err());
        assertTrue(m.err().contains("9 rows from 2 files"), m.err());
        assertTrue(Files.exists(merged.resolve("summary.md")));
        assertTrue(Files.exists(merged.resolve("config.json")));

        List<JsonNode> got = Rows.withoutTimings(merged.resolve("results.jsonl"));
        Set<JsonNode> want = new HashSet<>(Rows.withoutTimings(TinySweep.reference()));
        assertEquals(TinySweep.ROWS, got.size());
        assertEquals(want, new HashSet<>(got));
    }

    @Test
    void aShardGivenTwiceOrALoneShardOrAnEmptyFileIsRefusedInOneLine() throws Exception {
        Path shards = dir.resolve("shards");
        TinySweep.run(shards, "--shard", "2/2");
        Path s2 = shards.resolve("results.shard2of2.jsonl");
        Path out = dir.resolve("merged");

        Cli.Outcome twice = Cli.run("merge", "--no-plots", "--out", out.toString(), s2.toString(), s2.toString());
        assertEquals(2, twice.exit());
        assertEquals("windowkv: shard 2/2 is given twice (" + s2 + " and " + s2 + ")", twice.errLines());

        Cli.Outcome lone = Cli.run("merge", "--no-plots", "--out", out.toString(), s2.toString());
        assertEquals(2, lone.exit());
        assertTrue(lone.errLines().contains("shard 1/2 not given") && lone.errLines().contains("--partial"), lone.errLines());
        assertFalse(Files.exists(out.resolve("results.jsonl")));

        Cli.Outcome partial = Cli.run("merge", "--no-plots", "--partial", "--out", out.toString(), s2.toString());
        assertEquals(0, partial.exit(), partial.err());
        assertTrue(partial.err().contains("6 rows of this sweep are missing"), partial.err());
        assertEquals(3, Rows.count(out.resolve("results.jsonl")));
        assertTrue(Files.exists(out.resolve("config.json")), "the merged folder keeps the config its rows were made with");

        Path empty = shards.resolve("results.shard1of2.jsonl");
        Files.writeString(empty, "");
        Cli.Outcome none = Cli.run("merge", "--no-plots", "--out", dir.resolve("m2").toString(), empty.toString(), s2.toString());
        assertEquals(2, none.exit());
        assertTrue(none.errLines().contains("holds no rows"), none.errLines());
    }

    @Test
    void shardsOfDifferentConfigsAreRefused() {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        TinySweep.run(a, "--shard", "1/2");
        TinySweep.run(b, "--shard", "2/2", "--set", SweepTrustTest.GROUP_SIZE_4);
        Cli.Outcome m = Cli.run("merge", "--no-plots", "--out", dir.resolve("m").toString(),
                a.resolve("results.shard1of2.jsonl").toString(), b.resolve("results.shard2of2.jsonl").toString());
        assertEquals(2, m.exit());
        assertTrue(m.errLines().contains("another configuration") && m.errLines().contains("policies"), m.errLines());
        assertEquals(1, m.errLines().lines().count());
    }

    @Test
    void aBadShardIsAOneLineErrorWithExitCode2() {
        for (String bad : List.of("3/2", "0/2", "two")) {
            Cli.Outcome o = Cli.run(TinySweep.args(dir.resolve("x"), "--shard", bad).toArray(String[]::new));
            assertEquals(2, o.exit(), bad);
            assertEquals("windowkv: --shard takes i/N with 1 ≤ i ≤ N, e.g. --shard 2/8 (got '" + bad + "')", o.errLines());
            assertFalse(Files.exists(dir.resolve("x")), "nothing is written before the arguments are checked");
        }
    }
}
