package dev.windowkv.experiments.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class LlamaBenchTest {
    @Test
    void readsTheTestsOfLlamaBenchJsonOutput() throws Exception {
        String json = """
                [
                  {"build_commit": "de3ff815", "cpu_info": "AMD EPYC", "n_threads": 2, "n_prompt": 512, "n_gen": 0,
                   "n_depth": 0, "avg_ts": 105.25, "stddev_ts": 1.5},
                  {"build_commit": "de3ff815", "cpu_info": "AMD EPYC", "n_threads": 2, "n_prompt": 0, "n_gen": 64,
                   "n_depth": 2048, "avg_ts": 20.5, "stddev_ts": 0.25}
                ]
                """;
        List<LlamaBench.Test> tests = LlamaBench.parse(json);
        assertEquals(List.of(
                new LlamaBench.Test(2, 512, 0, 0, 105.25, 1.5, "de3ff815", "AMD EPYC"),
                new LlamaBench.Test(2, 0, 64, 2048, 20.5, 0.25, "de3ff815", "AMD EPYC")), tests);
    }

    @Test
    void ratiosPairOursWithLlamaCppInTheSameRoundTestAndThreadCount() {
        List<BenchResults.Measurement> ms = List.of(
                new BenchResults.Measurement(1, "java-vector", "tg64", 2, 20, 0),
                new BenchResults.Measurement(1, "llama.cpp", "tg64", 2, 25, 0),
                new BenchResults.Measurement(1, "llama.cpp", "tg64", 1, 14, 0),
                new BenchResults.Measurement(2, "llama.cpp", "tg64", 2, 40, 0),
                new BenchResults.Measurement(1, "java-vector", "pp512", 2, 50, 0),
                new BenchResults.Measurement(1, "llama.cpp", "pp512", 2, 100, 0),
                new BenchResults.Measurement(1, InProcessLlama.ENGINE, "pp512", 2, 40, 0),
                new BenchResults.Measurement(2, InProcessLlama.ENGINE, "tg64", 2, 10, 0));
        assertEquals(List.of(new BenchResults.Ratio(1, "tg64", 2, 20, 25, 0.8, Double.NaN, Double.NaN),
                        new BenchResults.Ratio(1, "pp512", 2, 50, 100, 0.5, 40, 1.25)),
                SpeedComparison.ratios(ms, "java-vector"));
    }
}
