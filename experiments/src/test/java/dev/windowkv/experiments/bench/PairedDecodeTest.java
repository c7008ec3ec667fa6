package dev.windowkv.experiments.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The paired decode's summary: per-pair ratios, their median, how many pairs are at least even, and the same per bandwidth state. */
class PairedDecodeTest {
    private static final MemoryBandwidth.Scaling OPEN = new MemoryBandwidth.Scaling(58, 30);
    private static final MemoryBandwidth.Scaling CAPPED = new MemoryBandwidth.Scaling(28, 27);

    private static PairedDecode.Pair open(double ours, double theirs) {
        return new PairedDecode.Pair(ours, theirs, OPEN, OPEN);
    }

    @Test
    void theMedianIsOfThePerPairRatiosNotOfTheMeans() {
        // ours is ahead in 3 of 5 pairs (the slow stretches): the ratio of the means says 0.93, the pairs 1.07
        List<PairedDecode.Pair> pairs = List.of(open(15, 14), open(25, 30), open(16, 15), open(14, 13), open(26, 31));
        PairedDecode.Result r = PairedDecode.summarize(16, pairs);
        assertEquals(16.0 / 15, r.medianRatio(), 1e-12);
        assertEquals(25.0 / 30, r.minRatio(), 1e-12);
        assertEquals(14.0 / 13, r.maxRatio(), 1e-12);
        assertEquals(3, r.pairsAtLeastEven());
        assertEquals(5, r.pairs().size());
    }

    @Test
    void anEvenNumberOfPairsTakesTheMiddleTwo() {
        PairedDecode.Result r = PairedDecode.summarize(16, List.of(open(10, 10), open(9, 10), open(12, 10), open(8, 10)));
        assertEquals((0.9 + 1.0) / 2, r.medianRatio(), 1e-12);
        assertEquals(2, r.pairsAtLeastEven());
    }

    @Test
    void noPairsIsNoVerdict() {
        PairedDecode.Result r = PairedDecode.summarize(16, List.of());
        assertTrue(Double.isNaN(r.medianRatio()));
        assertEquals(0, r.pairsAtLeastEven());
        assertTrue(r.byState().isEmpty());
    }

    @Test
    void aPairIsOpenOrCappedOnlyWhenBothReadsAgree() {
        assertEquals(PairedDecode.OPEN, new PairedDecode.Pair(1, 1, OPEN, OPEN).state());
        assertEquals(PairedDecode.CAPPED, new PairedDecode.Pair(1, 1, CAPPED, CAPPED).state());
        assertEquals(PairedDecode.MIXED, new PairedDecode.Pair(1, 1, OPEN, CAPPED).state());
        assertEquals(PairedDecode.MIXED, new PairedDecode.Pair(1, 1, CAPPED, OPEN).state());
        assertEquals(PairedDecode.UNREAD, new PairedDecode.Pair(1, 1, null, null).state(), "one thread: no state read");
        // 1.4× one thread is the line: 1.9× open, 1.04× capped in this VM's two states
        assertTrue(new MemoryBandwidth.Scaling(42, 30).open());
        assertTrue(!new MemoryBandwidth.Scaling(41.9, 30).open());
    }

    @Test
    void eachStateIsSummarizedByItsOwnPairs() {
        // open: ours ahead (1.2, 1.1); capped: behind (0.7, 0.8, 0.75); one pair straddles the change
        List<PairedDecode.Pair> pairs = List.of(open(30, 25), new PairedDecode.Pair(14, 20, CAPPED, CAPPED), open(22, 20),
                new PairedDecode.Pair(16, 20, CAPPED, CAPPED), new PairedDecode.Pair(15, 20, CAPPED, CAPPED),
                new PairedDecode.Pair(20, 20, OPEN, CAPPED));
        PairedDecode.Result r = PairedDecode.summarize(16, pairs);
        assertEquals(3, r.byState().size());
        PairedDecode.StateSummary open = r.byState().get(0), capped = r.byState().get(1), mixed = r.byState().get(2);
        assertEquals(PairedDecode.OPEN, open.state());
        assertEquals(2, open.pairs());
        assertEquals((1.2 + 1.1) / 2, open.medianRatio(), 1e-12);
        assertEquals(26, open.medianOurs(), 1e-12);
        assertEquals(PairedDecode.CAPPED, capped.state());
        assertEquals(3, capped.pairs());
        assertEquals(0.75, capped.medianRatio(), 1e-12);
        assertEquals(15, capped.medianOurs(), 1e-12);
        assertEquals(20, capped.medianLlamaCpp(), 1e-12);
        assertEquals(PairedDecode.MIXED, mixed.state());
        assertEquals(1, mixed.pairs());
        assertEquals(0.9, r.medianRatio(), 1e-12); // overall: 0.7 0.75 0.8 1.0 1.1 1.2
    }
}
