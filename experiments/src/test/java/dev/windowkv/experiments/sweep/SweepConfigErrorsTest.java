package dev.windowkv.experiments.sweep;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every mistake in a sweep config is caught before anything runs, by a message that names the key. */
class SweepConfigErrorsTest {
    @TempDir
    Path dir;
    Path config;

    @BeforeEach
    void writeAValidConfig() throws Exception {
        config = dir.resolve("sweep.json");
        Files.writeString(config, """
                {
                  "name": "t",
                  "models": ["default"],
                  "backend": "vector",
                  "tasks": ["niah_single"],
                  "lengths": [256, 512],
                  "depths": [0.5],
                  "samples": 1,
                  "seed": 1,
                  "policies": [
                    {"policy": "full", "label": "FullKV"},
                    {"policy": "snapkv", "label": "SnapKV", "budgets": [64, 128]}
                  ]
                }
                """);
    }

    String error(String... overrides) {
        return assertThrows(ConfigError.class, () -> SweepConfig.load(config, List.of(overrides))).getMessage();
    }

    static void assertMentions(String message, String... parts) {
        for (String p : parts) assertTrue(message.contains(p), "'" + message + "' should mention '" + p + "'");
        assertEquals(1, message.lines().count(), "one line: " + message);
    }

    @Test
    void theValidConfigLoadsAndOverridesApply() {
        SweepConfig c = SweepConfig.load(config, List.of("samples=3", "lengths=[1024]", "name=other"));
        assertEquals(3, c.samples());
        assertEquals(List.of(1024), c.lengths());
        assertEquals("other", c.name());
    }

    @Test
    void unknownKey() {
        assertMentions(error("sampels=3"), "sweep.json", "unknown key 'sampels'", "samples");
    }

    @Test
    void unknownTask() {
        assertMentions(error("tasks=[\"niah_single\",\"haystack_soup\"]"), "'tasks'", "unknown task 'haystack_soup'", "niah_single");
    }

    @Test
    void unknownPolicy() {
        assertMentions(error("policies=[{\"policy\":\"quest\",\"budgets\":[64]}]"), "policies[0]", "unknown policy 'quest'", "windowkv");
    }

    @Test
    void budgetBelowOne() {
        assertMentions(error("policies=[{\"policy\":\"snapkv\",\"budgets\":[64,0]}]"), "policies[0]", "budget 0 must be ≥ 1");
        assertMentions(error("policies=[{\"policy\":\"snapkv\",\"budgets\":[-8]}]"), "policies[0]", "budget -8");
    }

    @Test
    void budgetNotBelowTheShortestPromptIsTheBudgetLargerThanThePromptError() {
        // 256 is the shortest length: a budget of 256 would keep the whole prompt.
        assertMentions(error("policies=[{\"policy\":\"full\"},{\"policy\":\"snapkv\",\"budgets\":[64,256]}]"),
                "policies[1]", "budget 256 is not smaller than the shortest prompt (256 tokens)");
    }

    @Test
    void aPolicyWithoutBudgets() {
        assertMentions(error("policies=[{\"policy\":\"h2o\"}]"), "policies[0]", "needs 'budgets'");
    }

    @Test
    void aBadPolicyOptionNamesThePolicyEntry() {
        assertMentions(error("policies=[{\"policy\":\"full\"},{\"policy\":\"windowkv\",\"budgets\":[64],\"options\":{\"groupSize\":\"x\"}}]"),
                "policies[1]", "groupSize");
    }

    @Test
    void duplicateLabel() {
        assertMentions(error("policies=[{\"policy\":\"windowkv\",\"budgets\":[64]},{\"policy\":\"windowkv\",\"budgets\":[128]}]"),
                "policies[1]", "label 'windowkv' is used twice");
    }

    @Test
    void valueOfTheWrongType() {
        assertMentions(error("samples=many"), "samples");
    }

    @Test
    void invalidJsonNamesItsLine() throws Exception {
        Files.writeString(config, "{\n  \"name\": \"t\",\n  \"tasks\": [\"niah_single\",\n}\n");
        assertMentions(error(), "sweep.json", "not valid JSON at line 4");
    }

    @Test
    void missingConfigFile() {
        Path missing = dir.resolve("nope.json");
        ConfigError e = assertThrows(ConfigError.class, () -> SweepConfig.load(missing, List.of()));
        assertMentions(e.getMessage(), "config file not found", "nope.json");
    }

    @Test
    void badSetSyntax() {
        assertMentions(error("samples"), "--set takes key=value", "'samples'");
    }

    @Test
    void aFractionWhereAnIntegerBelongsIsRefusedNotTruncated() {
        assertMentions(error("samples=1.7"), "'samples' must be a whole number (got 1.7)");
        assertMentions(error("policies=[{\"policy\":\"snapkv\",\"budgets\":[64.9]}]"), "budgets");
        assertMentions(error("seed=2.5"), "seed");
        assertMentions(error("samples=\"3\""), "samples");
    }

    @Test
    void trailingJunkAfterTheJsonIsRefused() throws Exception {
        Files.writeString(config, Files.readString(config) + "\n{\"name\": \"other\"}\n");
        assertMentions(error(), "sweep.json");
    }

    @Test
    void aDuplicatedKeyIsRefused() throws Exception {
        Files.writeString(config, Files.readString(config).replace("\"samples\": 1,", "\"samples\": 1, \"samples\": 5,"));
        assertMentions(error(), "samples");
    }

    @Test
    void aNameThatIsNotAFolderOfItsOwnIsRefused() {
        for (String name : new String[]{"..", ".", "a/b"}) assertMentions(error("name=\"" + name + "\""), "'name'");
    }

    @Test
    void theConfigASweepLeavesInItsFolderLoadsBackToTheSameConfig() throws Exception {
        SweepConfig c = SweepConfig.defaults(List.of());
        Path copy = dir.resolve("config.json");
        Files.writeString(copy, c.toJson());
        assertEquals(c, SweepConfig.load(copy, List.of()));
    }
}
