package dev.windowkv.engine.kvcache;

import dev.windowkv.engine.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;

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
        assertEquals(new WindowKvPolicy(512, 8, 20, 10, 8, 14, WindowKvPolicy.Strategy.MAX),
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
        assertEquals(new WindowKvPolicy(128, 8, 32, 16, 8, 14, null),
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
