package dev.windowkv.experiments.sweep;

import dev.windowkv.experiments.cli.Cli;
import dev.windowkv.plots.SweepRow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ratios}: a sweep entry's budgets as kept fractions, each prompt resolving its own budget. */
class RatioSweepTest {
    @TempDir
    Path dir;

    static final String POLICIES = "policies=[{\"policy\":\"full\",\"label\":\"FullKV\"},"
            + "{\"policy\":\"snapkv\",\"label\":\"SnapKV\",\"budgets\":[64],\"ratios\":[0.25]}]";

    @Test
    void aRatioRowKeepsItsFractionOfThePromptAndRecordsTheBudgetItResolvedTo() {
        TinySweep.run(dir, "--set", POLICIES);
        List<SweepRow> rows = SweepTrustTest.reported(dir);
        assertEquals(3 * 3, rows.size(), "3 cells × (FullKV, budget 64, ratio 0.25)");
        List<SweepRow> ratio = rows.stream().filter(r -> r.options().containsKey("ratio")).toList();
        assertEquals(3, ratio.size());
        for (SweepRow r : ratio) {
            int promptTokens = r.length(); // a synthetic row reports its nominal length; the prompt is within 2% of it
            assertTrue(Math.abs(r.budget() - 0.25 * promptTokens) <= 0.25 * 0.02 * promptTokens + 1, r.budget() + " of " + promptTokens);
            assertEquals("0.25", r.options().get("ratio"));
            assertTrue(r.tokensKeptPerLayer()[0] <= r.budget(), "SnapKV keeps its budget");
        }
        assertEquals(3, rows.stream().map(SweepRow::id).filter(id -> ratio.stream().noneMatch(r -> r.id().equals(id)))
                .filter(id -> rows.stream().anyMatch(r -> r.id().equals(id) && "64".equals(r.options().get("budget")))).count(),
                "budget rows and ratio rows have identities of their own");
    }

    @Test
    void aRatioOutsideZeroToOneIsRefusedUpFront() {
        String bad = "policies=[{\"policy\":\"snapkv\",\"ratios\":[1.5]}]";
        ConfigError e = assertThrows(ConfigError.class, () -> SweepConfig.defaults(List.of(bad)));
        assertTrue(e.getMessage().contains("ratio 1.5 must be a kept fraction in (0, 1]"), e.getMessage());
        Cli.Outcome none = Cli.run(TinySweep.args(dir.resolve("x"), "--set", "policies=[{\"policy\":\"snapkv\"}]").toArray(String[]::new));
        assertEquals(2, none.exit());
        assertTrue(none.errLines().contains("needs 'budgets' (tokens) or 'ratios'"), none.errLines());
    }
}
