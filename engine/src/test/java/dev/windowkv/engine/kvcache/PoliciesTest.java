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
        assertEquals(new WindowKvPolicy(512, 8, 20, 10, WindowKvPolicy.PROPORTIONAL_GROUP_SIZE, WindowKvPolicy.PROPORTIONAL_BETA, WindowKvPolicy.Strategy.MAX),
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
        assertEquals("unknown KV policy 'quest'; use one of full, streamingllm, h2o, pyramidkv, windowkv, snapkv, adakv, "
                + "chunkkv, think (or put a plug-in jar that provides it on the classpath)", e.getMessage());
    }

    @Test
    void everyPolicyPrintsAsItsNameAndOptions() {
        assertEquals("windowkv budget=128 groupSize=2 strategy=max windowSize=8 suffixMax=32 suffixAverage=16 beta=3.5",
                Policies.create("windowkv", Map.of("budget", "128", "strategy", "max")).forModel(8).describe());
        assertEquals("windowkv budget=128 groupSize=L/4 strategy=auto windowSize=8 suffixMax=32 suffixAverage=16 beta=14·groupSize/8",
                Policies.create("windowkv", Map.of("budget", "128")).describe(), "before the model is known");
        assertEquals("windowkv budget=128 groupSize=8 strategy=auto windowSize=8 suffixMax=32 suffixAverage=16 beta=14",
                Policies.create("windowkv", Map.of("budget", "128")).forModel(32).describe(), "the paper's setting on 32 layers");
        assertEquals("windowkv budget=64 groupSize=2 strategy=auto windowSize=8 suffixMax=32 suffixAverage=16 beta=14",
                Policies.create("windowkv", Map.of("budget", "64", "groupSize", "2", "beta", "14")).forModel(8).describe(),
                "a β given is kept");
        assertEquals("windowkv budget=64 groupSize=3 strategy=average windowSize=8 suffixMax=32 suffixAverage=16 beta=5.25",
                Policies.create("windowkv", Map.of("budget", "64", "groupSize", "3", "strategy", "average")).forModel(8).describe());
        assertEquals("snapkv budget=128 observationWindow=8 poolingKernel=7", Policies.create("snapkv", Map.of("budget", "128")).describe());
        assertEquals("pyramidkv budget=128 observationWindow=8 poolingKernel=7 beta=20",
                Policies.create("pyramidkv", Map.of("budget", "128")).forModel(8).describe());
        assertEquals("h2o budget=128 observationWindow=8 mask=window",
                Policies.create("h2o", Map.of("budget", "128", "mask", "window")).describe());
        assertEquals("streamingllm budget=128 sinkTokens=4", Policies.create("streamingllm", Map.of("budget", "128")).describe());
        assertEquals("full", Policies.create("full", Map.of()).describe());
        // Stable across runs (a sweep row's identity hashes it): no object addresses.
        assertEquals("snapkv name=snapkv options={observationWindow=4} ratio=0.25",
                Policies.create("snapkv", Map.of("ratio", "0.25", "observationWindow", "4")).describe());
        assertEquals("think inner=(snapkv budget=64 observationWindow=8 poolingKernel=7) pruneRatio=0.4 queryWindow=8",
                Policies.create("think", Map.of("budget", "64")).describe());
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
            assertArrayEquals(WindowKvBudgets.perLayer(512, layers, layersAndGroupSize[1], 14.0 * layersAndGroupSize[1] / 8),
                    budgets, layers + " layers");
        }
        // The shipped 8-layer model: four groups of two with the paper's profile (Llama-3-8B at B = 512:
        // 732/586/440/292, spec §1.3), not 1/7 of the budget in the deepest group as a fixed β = 14 gave.
        WindowKvPolicy.Sample eight = (WindowKvPolicy.Sample) p.start(8, 4, 4, 8, 4000, TaskType.QA);
        int[] got = new int[8];
        for (int l = 0; l < 8; l++) got[l] = eight.reviewBudget(l);
        assertArrayEquals(new int[] {732, 732, 586, 586, 440, 440, 292, 292}, got);
    }

    @Test
    void groupSizeLargerThanTheLayerCountFailsWhenTheModelIsKnown() {
        KvPolicy p = Policies.create("windowkv", Map.of("groupSize", "40"));
        assertInstanceOf(UserError.class, assertThrows(PolicyOptionError.class, () -> p.start(32, 32, 8, 128, 100, null)));
    }

    @Test
    void theBuiltInsAreServicesInTheirTableOrder() {
        assertEquals(Policies.NAMES, Policies.names());
    }

    @Test
    void ratioIsTheKeptFractionOfEachPrompt() {
        KvPolicy p = Policies.create("snapkv", Map.of("ratio", "0.25", "observationWindow", "2"));
        RatioBudget r = assertInstanceOf(RatioBudget.class, p);
        assertEquals("snapkv", p.name());
        assertEquals(10, r.budget(40));
        assertEquals(3, r.budget(10)); // round(2.5) = 3
        assertEquals(new SnapKvPolicy(10, 2, 7), r.resolve(40));
        // The compressor for a 40-token prompt keeps 10 tokens, for 400 tokens 100.
        assertEquals(10, p.start(1, 1, 1, 1, 40, null).capacity(0));
        assertEquals(100, p.start(1, 1, 1, 1, 400, null).capacity(0));
        assertEquals(new WindowKvPolicy(128, 8, 32, 16, WindowKvPolicy.PROPORTIONAL_GROUP_SIZE, WindowKvPolicy.PROPORTIONAL_BETA, null),
                ((RatioBudget) Policies.create("windowkv", Map.of("ratio", "0.5"))).resolve(256));
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "snapkv | ratio=0",
        "snapkv | ratio=1.5",
        "snapkv | ratio=half",
        "snapkv | ratio=0.5,budget=100",
        "full   | ratio=0.5",
        "snapkv | ratio=0.5,poolingKernel=4",
        "think  | ratio=0.5,inner=full",
    })
    void badRatiosAreOneLineUserErrors(String policy, String options) {
        Map<String, String> m = new java.util.HashMap<>();
        for (String kv : options.split(",")) m.put(kv.split("=")[0], kv.split("=")[1]);
        UserError e = assertThrows(PolicyOptionError.class, () -> Policies.create(policy, m));
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void aRatioTooSmallForAShortPromptNamesTheRatioAndThePrompt() {
        KvPolicy p = Policies.create("snapkv", Map.of("ratio", "0.1"));
        PolicyOptionError e = assertThrows(PolicyOptionError.class, () -> p.start(1, 1, 1, 1, 50, null));
        assertEquals("ratio=0.1 of a 50-token prompt is budget 5, and snapkv: budget 5 must exceed observationWindow 8; "
                + "raise ratio", e.getMessage());
    }
}
