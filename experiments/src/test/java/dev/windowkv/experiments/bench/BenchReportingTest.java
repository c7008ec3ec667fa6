package dev.windowkv.experiments.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.windowkv.engine.model.Architecture;
import dev.windowkv.engine.model.ModelConfig;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What `bench` derives from its measurements: the ratios' spread, the bandwidth drift, the shares of the ceilings. */
class BenchReportingTest {
    private static BenchResults.Ratio ratio(int round, String test, double ours, double llama) {
        return new BenchResults.Ratio(round, test, 2, ours, llama, ours / llama, Double.NaN, Double.NaN);
    }

    @Test
    void theSpreadOfEachTestsRatioOverTheRounds() {
        List<BenchResults.RatioSpread> s = SpeedComparison.spreads(List.of(
                ratio(1, "pp512", 80, 100), ratio(1, "tg64", 10, 10),
                ratio(2, "pp512", 90, 100), ratio(2, "tg64", 11, 10),
                ratio(3, "pp512", 100, 100), ratio(3, "tg64", 12, 10)));
        assertEquals(2, s.size());
        BenchResults.RatioSpread pp = s.getFirst();
        assertEquals("pp512", pp.test());
        assertEquals(3, pp.rounds());
        assertEquals(0.9, pp.mean(), 1e-12);
        assertEquals(0.8, pp.min(), 1e-12);
        assertEquals(1.0, pp.max(), 1e-12);
        assertEquals(0.2 / 0.9, pp.spread(), 1e-12);
        assertEquals(1.1, s.get(1).mean(), 1e-12);
    }

    @Test
    void aBandwidthThatMovedMoreThanTenPercentIsSaid() {
        String steady = SpeedComparison.bandwidthNote(20.0, List.of(new BenchResults.RoundBandwidth(1, 19.5, 20.4),
                new BenchResults.RoundBandwidth(2, 19.0, 20.1)));
        assertTrue(steady.startsWith("bandwidth steady within 7%"), steady);
        String moved = SpeedComparison.bandwidthNote(20.0, List.of(new BenchResults.RoundBandwidth(1, 20.0, 15.0)));
        assertTrue(moved.startsWith("bandwidth moved by 25% during the run (15.0 to 20.0 GB/s)"), moved);
    }

    /** A tiny shape done by hand: 2 layers, dim 4, 2 heads of 2, 1 KV head, FFN 8. */
    @Test
    void prefillFlopsPerTokenFromTheModelShape() {
        ModelConfig c = new ModelConfig(Architecture.LLAMA, 4, 2, 2, 1, 2, 8, 10, 64, 1e-5f, 10000f, 1f);
        // matrices per layer: q 4x4 + k 4x2 + v 4x2 + o 4x4 + gate, up, down 3x4x8 = 16+8+8+16+96 = 144 weights
        // attention at n = 3: 4 * 2 heads * 2 dims * (3+1)/2 = 32 per token and layer
        assertEquals(2 * (2 * 144 + 32), ModelFlops.perPrefillToken(c, 3), 1e-9);
    }

    @Test
    void sharesOfTheBandwidthLimitAndTheFmaPeak() {
        ModelConfig c = new ModelConfig(Architecture.LLAMA, 4, 2, 2, 1, 2, 8, 10, 64, 1e-5f, 10000f, 1f);
        double flops = ModelFlops.perPrefillToken(c, 3); // 640
        FmaPeak peak = new FmaPeak(16, 2, 1.0, "test"); // 64 GFLOP/s per core
        List<BenchResults.PeakShare> s = SpeedComparison.peakShares(List.of(
                new BenchResults.Measurement(1, "ours", "pp3", 2, 1e8, 0),
                new BenchResults.Measurement(2, "ours", "pp3", 2, 3e8, 0),
                new BenchResults.Measurement(1, "ours", "tg8", 2, 10, 0),
                new BenchResults.Measurement(1, "llama.cpp", "tg8@d2048", 2, 5, 0)), c, 20, peak);
        assertEquals(3, s.size());
        BenchResults.PeakShare pp = s.getFirst();
        assertEquals(2e8, pp.tokPerSec(), 1e-6, "the mean over rounds");
        assertEquals(2 * 64e9 / flops, pp.ceilingTokPerSec(), 1e-3);
        assertEquals(2e8 * flops / 128e9, pp.share(), 1e-12);
        assertEquals(0.5, s.get(1).share(), 1e-12);
        assertEquals("bandwidth limit", s.get(2).ceiling());
        assertEquals(0.25, s.get(2).share(), 1e-12);
    }

    @Test
    void zen4RunsA512BitFmaOnTwo256BitUnits() {
        List<String> zen4 = List.of("vendor_id\t: AuthenticAMD", "cpu family\t: 25");
        List<String> xeon = List.of("vendor_id\t: GenuineIntel", "cpu family\t: 6");
        assertEquals(1, FmaPeak.defaultPorts(zen4, 16));
        assertEquals(2, FmaPeak.defaultPorts(zen4, 8));
        assertEquals(2, FmaPeak.defaultPorts(xeon, 16));
        assertEquals(2, FmaPeak.defaultPorts(List.of("vendor_id\t: AuthenticAMD", "cpu family\t: 26"), 16));
    }

    @Test
    void aPhaseIsHeldToItsPeakOrToWhatItLeavesResident() {
        long mib = 1 << 20;
        var prefill = new BenchResults.MemoryPhase(2048, "after FullKV prefill", null, 1500 * mib, 1700 * mib, 1300 * mib,
                128 * mib, 1300 * mib + 128 * mib + MemoryPhases.OVERHEAD, true, 0, 0);
        assertFalse(prefill.withinLimit(), "1700 MiB peak against 1684");
        var after = new BenchResults.MemoryPhase(2048, "after compression", 128, 1500 * mib, 1700 * mib, 1300 * mib,
                8 * mib, 1300 * mib + 8 * mib + MemoryPhases.OVERHEAD, false, 0, 0);
        assertTrue(after.withinLimit(), "1500 MiB resident against 1564");
    }
}
