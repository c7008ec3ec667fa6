package dev.windowkv.engine.kvcache;

import dev.windowkv.engine.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PoliciesTest {
    @Test
    void everyNameCreatesItsPolicyWithThePaperDefaults() {
        for (String name : Policies.NAMES) {
            assertEquals(name, Policies.create(name, Map.of()).name());
        }
        assertEquals(new SnapKvPolicy(2048, 8, 7), Policies.create("snapkv", Map.of()));
        assertEquals(new PyramidKvPolicy(2048, 8, 7, 20), Policies.create("pyramidkv", null));
        assertEquals(new H2oPolicy(2048, 8, false), Policies.create("h2o", Map.of()));
        assertEquals(new StreamingLlmPolicy(2048, 4), Policies.create("streamingllm", Map.of()));
        assertEquals(WindowKvPolicy.withBudget(2048), Policies.create("windowkv", Map.of()));
    }

    @Test
    void everyOptionIsSettable() {
        assertEquals(new WindowKvPolicy(512, 16, 24, 24, 4, 10, WindowKvPolicy.Strategy.AVERAGE),
                Policies.create("WindowKV", Map.of("budget", "512", "windowSize", "16", "suffix", "24",
                        "groupSize", "4", "beta", "10", "strategy", "average")));
        assertEquals(new WindowKvPolicy(512, 8, 20, 10, WindowKvPolicy.PROPORTIONAL_GROUP_SIZE, 14, WindowKvPolicy.Strategy.MAX),
                Policies.create("windowkv", Map.of("budget", "512", "suffixMax", "20", "suffixAverage", "10", "strategy", "max")));
        assertEquals(new H2oPolicy(100, 4, true),
                Policies.create("h2o", Map.of("budget", "100", "observationWindow", "4", "mask", "window")));
        assertEquals(new PyramidKvPolicy(100, 4, 5, 10),
                Policies.create("pyramidkv", Map.of("budget", "100", "observationWindow", "4", "poolingKernel", "5", "beta", "10")));
        assertEquals(new StreamingLlmPolicy(100, 2), Policies.create("streamingllm", Map.of("budget", "100", "sinkTokens", "2")));
    }

    @ParameterizedTest(name = "{0} {1}={2}")
    @CsvSource({
        "snapkv,       budget,            0",
        "windowkv,     budget,            -5",
        "windowkv,     windowSize,        0",
        "h2o,          observationWindow, 0",
        "snapkv,       budget,            8",
        "snapkv,       poolingKernel,     6",
        "pyramidkv,    beta,              0",
        "streamingllm, budget,            4",
        "windowkv,     strategy,          median",
        "windowkv,     budget,            many",
        "snapkv,       windowSize,        8",
        "full,         budget,            128",
    })
    void badOptionsAreOneLineUserErrors(String policy, String key, String value) {
        UserError e = assertThrows(PolicyOptionError.class, () -> Policies.create(policy, Map.of(key, value)));
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void unknownPolicyIsAUserError() {
        UserError e = assertThrows(UnknownPolicyError.class, () -> Policies.create("quest", Map.of()));
        assertEquals("unknown KV policy 'quest'; use one of full, streamingllm, h2o, pyramidkv, windowkv, snapkv", e.getMessage());
    }

    @Test
    void everyPolicyPrintsAsItsNameAndOptions() {
        assertEquals("windowkv budget=128 groupSize=2 strategy=max windowSize=8 suffixMax=32 suffixAverage=16 beta=14",
                Policies.create("windowkv", Map.of("budget", "128", "strategy", "max")).forModel(8).describe());
        assertEquals("windowkv budget=128 groupSize=L/4 strategy=auto windowSize=8 suffixMax=32 suffixAverage=16 beta=14",
                Policies.create("windowkv", Map.of("budget", "128")).describe(), "before the model is known");
        assertEquals("windowkv budget=64 groupSize=3 strategy=average windowSize=8 suffixMax=32 suffixAverage=16 beta=14",
                Policies.create("windowkv", Map.of("budget", "64", "groupSize", "3", "strategy", "average")).forModel(8).describe());
        assertEquals("snapkv budget=128 observationWindow=8 poolingKernel=7", Policies.create("snapkv", Map.of("budget", "128")).describe());
        assertEquals("pyramidkv budget=128 observationWindow=8 poolingKernel=7 beta=20",
                Policies.create("pyramidkv", Map.of("budget", "128")).forModel(8).describe());
        assertEquals("h2o budget=128 observationWindow=8 mask=window",
                Policies.create("h2o", Map.of("budget", "128", "mask", "window")).describe());
        assertEquals("streamingllm budget=128 sinkTokens=4", Policies.create("streamingllm", Map.of("budget", "128")).describe());
        assertEquals("full", Policies.create("full", Map.of()).describe());
    }

    @Test
    void theDefaultGroupSizeKeepsThePapersFourGroupsOnAnyModel() {
        KvPolicy p = Policies.create("windowkv", Map.of("budget", "512"));
        for (int[] layersAndGroupSize : new int[][] {{32, 8}, {28, 7}, {8, 2}, {2, 1}, {1, 1}}) {
            int layers = layersAndGroupSize[0];
            assertEquals(layersAndGroupSize[1], ((WindowKvPolicy) p.forModel(layers)).groupSize(), layers + " layers");
            WindowKvPolicy.Sample s = (WindowKvPolicy.Sample) p.start(layers, 4, 4, 8, 4000, TaskType.QA);
            int[] budgets = new int[layers];
            for (int l = 0; l < layers; l++) budgets[l] = s.reviewBudget(l);
            assertArrayEquals(WindowKvBudgets.perLayer(512, layers, layersAndGroupSize[1], 14), budgets, layers + " layers");
        }
        // The shipped 8-layer model: four groups of two, decaying (one group of 8 gave 512 everywhere).
        WindowKvPolicy.Sample eight = (WindowKvPolicy.Sample) p.start(8, 4, 4, 8, 4000, TaskType.QA);
        assertEquals(2 * 512 - 512 * 2 / 14, eight.reviewBudget(0));
        assertEquals(512 * 2 / 14, eight.reviewBudget(7));
    }

    @Test
    void groupSizeLargerThanTheLayerCountFailsWhenTheModelIsKnown() {
        KvPolicy p = Policies.create("windowkv", Map.of("groupSize", "40"));
        assertInstanceOf(UserError.class, assertThrows(PolicyOptionError.class, () -> p.start(32, 32, 8, 128, 100, null)));
    }
}
