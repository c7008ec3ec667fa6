package dev.windowkv.experiments.sweep;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class SweepDeterminismTest {
    @TempDir
    Path dir;

    @Test
    void theSameConfigRunTwiceWritesTheSameRowsInTheSameOrder() {
        TinySweep.run(dir);
        assertEquals(Rows.withoutTimings(TinySweep.reference()), Rows.withoutTimings(dir.resolve("results.jsonl")));
    }

    @Test
    void anotherBaseSeedGivesOtherPrompts() {
        TinySweep.run(dir, "--set", "seed=2", "--set", "depths=[0.5]");
        long otherSeed = Rows.withoutTimings(dir.resolve("results.jsonl")).getFirst().get("seed").asLong();
        long referenceSeed = Rows.withoutTimings(TinySweep.reference()).stream()
                .filter(r -> r.get("depth").asDouble() == 0.5).findFirst().orElseThrow().get("seed").asLong();
        assertNotEquals(referenceSeed, otherSeed);
    }
}
