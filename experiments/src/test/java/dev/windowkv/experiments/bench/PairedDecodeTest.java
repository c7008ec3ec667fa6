package dev.windowkv.experiments.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The paired decode's summary: per-pair ratios, their median and how many pairs are at least even. */
class PairedDecodeTest {
    @Test
    void theMedianIsOfThePerPairRatiosNotOfTheMeans() {
        // ours is ahead in 3 of 5 pairs (the slow stretches): the ratio of the means says 0.93, the pairs 1.07
        List<PairedDecode.Pair> pairs = List.of(new PairedDecode.Pair(15, 14), new PairedDecode.Pair(25, 30),
                new PairedDecode.Pair(16, 15), new PairedDecode.Pair(14, 13), new PairedDecode.Pair(26, 31));
        PairedDecode.Result r = PairedDecode.summarize(16, pairs);
        assertEquals(16.0 / 15, r.medianRatio(), 1e-12);
        assertEquals(25.0 / 30, r.minRatio(), 1e-12);
        assertEquals(14.0 / 13, r.maxRatio(), 1e-12);
        assertEquals(3, r.pairsAtLeastEven());
        assertEquals(5, r.pairs().size());
    }

    @Test
    void anEvenNumberOfPairsTakesTheMiddleTwo() {
        PairedDecode.Result r = PairedDecode.summarize(16, List.of(new PairedDecode.Pair(10, 10),
                new PairedDecode.Pair(9, 10), new PairedDecode.Pair(12, 10), new PairedDecode.Pair(8, 10)));
        assertEquals((0.9 + 1.0) / 2, r.medianRatio(), 1e-12);
        assertEquals(2, r.pairsAtLeastEven());
    }

    @Test
    void noPairsIsNoVerdict() {
        PairedDecode.Result r = PairedDecode.summarize(16, List.of());
        assertTrue(Double.isNaN(r.medianRatio()));
        assertEquals(0, r.pairsAtLeastEven());
    }
}
