package dev.windowkv.experiments.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.windowkv.plots.BackendResult;
import dev.windowkv.plots.BenchReport;
import dev.windowkv.plots.DecodeSlowdown;
import dev.windowkv.plots.DeviceCost;
import dev.windowkv.plots.ResultsReader;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What `bench --backends` derives from the slowdown samples: medians, the tolerance and the verdict, and what it prints. */
class DecodeSlowdownTest {
    private static final List<Double> NONE = List.of(Double.NaN, Double.NaN, Double.NaN);

    /**
     * Wall ms/token with the profiler off 21, 25, 20 after 64 tokens and 30, 33, 31 after 2,048, in
     * pairs: differences 9, 8, 11, mean 9.33, standard deviation 1.528, so the tolerance (twice the
     * standard error) is 1.764. The profiled samples' wall times grow 13 ms: the verdict must not use them.
     */
    private static DecodeSlowdown of(List<Double> attentionShort, List<Double> attentionLong, List<Double> kernelShort,
                                     List<Double> kernelLong) {
        return DecodeSlowdownRun.summarize(64, 2048, 16,
                new DecodeSlowdownRun.Paired(List.of(21.0, 25.0, 20.0), List.of(30.0, 33.0, 31.0)),
                new DecodeSlowdownRun.Paired(List.of(22.0, 30.0, 24.0), List.of(35.0, 43.0, 37.0)),
                new DecodeSlowdownRun.Paired(attentionShort, attentionLong),
                new DecodeSlowdownRun.Paired(kernelShort, kernelLong));
    }

    @Test
    void aSlowdownWithinAttentionsGrowthPlusTheSamplesMargin() {
        DecodeSlowdown s = of(List.of(0.2, 0.3, 0.1), List.of(8.2, 8.3, 8.1), List.of(10.2, 10.3, 10.1),
                List.of(18.2, 18.3, 18.1));
        assertEquals(28.0 / 3, s.slowdownMs(), 1e-12);
        assertEquals(13.0, s.profiledSlowdownMs(), 1e-12);
        assertEquals(8.0, s.attentionGrowthMs(), 1e-12);
        assertEquals(0.0, s.otherKernelGrowthMs(), 1e-12);
        assertEquals(2 * Math.sqrt(7.0 / 3) / Math.sqrt(3), s.toleranceMs(), 1e-12);
        assertTrue(s.within(), "9.33 <= 8 + 1.76, though the profiled samples slowed 13 ms");
    }

    /**
     * The verdict's left side is the unprofiled wall time: profiled samples that slow by attention's
     * growth do not make an unprofiled excess within, and the tolerance is the unprofiled pairs'.
     */
    @Test
    void theVerdictComparesTheUnprofiledSlowdownNotTheProfiledOne() {
        List<Double> attention = List.of(1.0, 1.0, 1.0);
        DecodeSlowdown s = DecodeSlowdownRun.summarize(64, 2048, 16,
                new DecodeSlowdownRun.Paired(List.of(10.0, 12.0, 11.0), List.of(20.0, 22.0, 21.0)),
                new DecodeSlowdownRun.Paired(List.of(10.0, 40.0, 10.0), List.of(15.0, 45.0, 15.0)),
                new DecodeSlowdownRun.Paired(attention, List.of(6.0, 6.0, 6.0)),
                new DecodeSlowdownRun.Paired(attention, List.of(6.0, 6.0, 6.0)));
        assertEquals(10.0, s.slowdownMs(), 1e-12);
        assertEquals(5.0, s.profiledSlowdownMs(), 1e-12);
        assertEquals(0.0, s.toleranceMs(), 1e-12, "the unprofiled differences are all 10; the profiled ones' swing is not used");
        assertFalse(s.within(), "10 ms slower without the profiler, 5 of it attention");
        assertEquals(List.of(20.0, 22.0, 21.0), s.msPerTokenLong());
        assertEquals(List.of(15.0, 45.0, 15.0), s.profiledMsPerTokenLong());
    }

    @Test
    void aSlowdownBeyondAttentionsGrowthAndTheMarginIsNotWithin() {
        DecodeSlowdown s = of(List.of(0.2, 0.3, 0.1), List.of(2.2, 2.3, 2.1), List.of(10.2, 10.3, 10.1),
                List.of(14.2, 14.3, 14.1));
        assertEquals(2.0, s.attentionGrowthMs(), 1e-12);
        assertEquals(2.0, s.otherKernelGrowthMs(), 1e-12, "the other kernels grew too: a clue to where the time goes");
        assertFalse(s.within(), "9.33 > 2 + 1.76");
        String printed = DecodeSlowdownRun.describe("tornado", s);
        assertTrue(printed.contains("slowdown +9.33 ms/token (profiler off), attention's growth +2.00 ms/token"), printed);
        assertTrue(printed.contains("MORE than attention's growth (tolerance 1.76"), printed);
        assertTrue(printed.contains("profiler off: 31.00 ms/token (30.00-33.00) vs 21.00 (20.00-25.00)"), printed);
        assertTrue(printed.contains("profiled samples (interleaved): 37.00 ms/token vs 24.00, slowdown +13.00 ms/token "
                + "(the profiler's waits add +3.67)"), printed);
    }

    /** Load that rises and falls hits both samples of a pair: the pairs' differences stay, the margin stays small. */
    @Test
    void loadThatHitsBothSamplesOfAPairCancels() {
        List<Double> attention = List.of(1.0, 1.0, 1.0);
        DecodeSlowdown s = DecodeSlowdownRun.summarize(64, 2048, 16,
                new DecodeSlowdownRun.Paired(List.of(10.0, 50.0, 10.0), List.of(20.0, 60.0, 20.0)),
                new DecodeSlowdownRun.Paired(List.of(10.0, 50.0, 10.0), List.of(20.0, 60.0, 20.0)),
                new DecodeSlowdownRun.Paired(attention, List.of(6.0, 6.0, 6.0)),
                new DecodeSlowdownRun.Paired(attention, List.of(6.0, 6.0, 6.0)));
        assertEquals(10.0, s.slowdownMs(), 1e-12);
        assertEquals(0.0, s.toleranceMs(), 1e-12);
        assertFalse(s.within(), "10 ms slower, 5 of it attention, resolved despite the 40 ms swing");
    }

    /** Without kernel times (a backend without the profiler) there is no attention time: no verdict, and the line says so. */
    @Test
    void withoutKernelTimesThereIsNoVerdict() {
        DecodeSlowdown s = of(NONE, NONE, NONE, NONE);
        assertTrue(Double.isNaN(s.attentionGrowthMs()));
        assertFalse(s.within());
        assertTrue(DecodeSlowdownRun.describe("tornado", s).contains("no verdict"));
    }

    @Test
    void theMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        assertEquals(2.5, DecodeSlowdownRun.median(List.of(4.0, 1.0, 3.0, 2.0)), 1e-12);
        assertTrue(Double.isNaN(DecodeSlowdownRun.median(List.of())));
    }

    /** The samples and the verdict travel in backends.json with the device's counters. */
    @Test
    void theSlowdownRoundTripsThroughTheReport(@TempDir Path tmp) throws Exception {
        DecodeSlowdown s = of(List.of(0.2, 0.3, 0.1), List.of(8.2, 8.3, 8.1), List.of(10.2, 10.3, 10.1),
                List.of(18.2, 18.3, 18.1));
        BenchReport report = new BenchReport("m", "d", "model", 2048, List.of(new BackendResult("tornado", "PoCL CPU", 2,
                100, 40, 30, new DeviceCost(2048, 8, 15432, 51, 3, 1 << 20, true, s))));
        Path f = tmp.resolve("backends.json");
        new com.fasterxml.jackson.databind.ObjectMapper().writeValue(f.toFile(), report);
        assertEquals(report, ResultsReader.readBench(f));
    }
}
