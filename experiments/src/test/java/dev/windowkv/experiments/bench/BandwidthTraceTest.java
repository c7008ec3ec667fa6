package dev.windowkv.experiments.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The trace's summary: the share of open samples and the longest capped stretch, one still running at the end included. */
class BandwidthTraceTest {
    private static BandwidthTrace.Sample at(double s, boolean open) {
        return new BandwidthTrace.Sample(s, open ? new MemoryBandwidth.Scaling(58, 30) : new MemoryBandwidth.Scaling(28, 28));
    }

    @Test
    void theLongestCappedStretchRunsFromItsFirstCappedSampleToTheNextOpenOne() {
        List<BandwidthTrace.Sample> xs = List.of(at(0, true), at(1, false), at(2, false), at(3, true), at(4, false), at(5, true),
                at(6, true), at(7, true));
        BandwidthTrace.Summary s = BandwidthTrace.summarize(xs);
        assertEquals(8, s.samples());
        assertEquals(5.0 / 8, s.openFraction(), 1e-12);
        assertEquals(2.0, s.longestCappedSeconds(), 1e-12);
    }

    @Test
    void aStretchStillCappedAtTheEndCountsToTheLastSample() {
        BandwidthTrace.Summary s = BandwidthTrace.summarize(List.of(at(0, true), at(1, false), at(2, false), at(5.5, false)));
        assertEquals(4.5, s.longestCappedSeconds(), 1e-12);
        assertEquals(0.25, s.openFraction(), 1e-12);
    }

    @Test
    void neverCappedHasNoStretch() {
        BandwidthTrace.Summary s = BandwidthTrace.summarize(List.of(at(0, true), at(1, true)));
        assertEquals(0, s.longestCappedSeconds());
        assertEquals(1.0, s.openFraction());
        assertTrue(Double.isNaN(BandwidthTrace.summarize(List.of()).openFraction()));
    }
}
