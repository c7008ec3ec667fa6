package dev.windowkv.experiments.tasks;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How list sizes, word counts and lengths are worked out, by example. */
class SizingTest {
    @Test
    void fitFindsTheSizeClosestToTheTarget() {
        // Ten fixed tokens plus one per size unit: 90 units make 100 tokens.
        LengthFit.Fitted f = LengthFit.fit("t", 100, new WordTokenizer(), n -> "a ".repeat(10 + n));
        assertEquals(90, f.size());
        assertEquals(100, f.tokens());
    }

    @Test
    void fitCrossesAFlatStartWithoutOvershooting() {
        // Like cwe: sizes below 30 give the same list, so the first steps add no tokens.
        List<Integer> probed = new ArrayList<>();
        LengthFit.Fitted f = LengthFit.fit("t", 200, new WordTokenizer(), n -> {
            probed.add(n);
            return "a ".repeat(10 + Math.max(30, n));
        });
        assertEquals(190, f.size());
        assertTrue(probed.stream().allMatch(n -> n <= 400), "probed " + probed);
    }

    @Test
    void fitRefusesATargetBelowTheFixedText() {
        assertThrows(SampleSpecError.class, () -> LengthFit.fit("t", 5, new WordTokenizer(), n -> "a ".repeat(10 + n)));
    }

    @Test
    void cweRepeatsFollowRulerAtMediumLengths() {
        // 2000 words: ten common words 30 times each; the other 1700 words three times each, but for one twice.
        int[] r = CommonWordsExtraction.repeats(2000, 700);
        assertEquals(10 + 567, r.length);
        assertArrayEquals(new int[] {30, 30, 30, 30, 30, 30, 30, 30, 30, 30}, Arrays.copyOf(r, 10));
        assertEquals(566, Arrays.stream(r, 10, r.length).filter(c -> c == 3).count());
        assertEquals(2, r[r.length - 1]);
        assertEquals(2000, Arrays.stream(r).sum());
    }

    @Test
    void cweRepeatsScaleDownForShortLists() {
        // 100 words: common words five times each, the other 50 once each.
        int[] r = CommonWordsExtraction.repeats(100, 700);
        assertEquals(60, r.length);
        assertEquals(5, r[0]);
        assertEquals(1, r[59]);
        assertEquals(100, Arrays.stream(r).sum());
    }

    @Test
    void cweRepeatsGrowWhenTheWordListRunsOut() {
        // 20000 words from 500: the others 40 times each, the common words twice that.
        int[] r = CommonWordsExtraction.repeats(20_000, 500);
        assertEquals(80, r[0]);
        assertEquals(10 + 480, r.length);
        assertEquals(40, r[10]);
        assertEquals(20_000, Arrays.stream(r).sum());
    }

    @Test
    void fweCountsFollowZipfWithExponentTwo() {
        // floor(100 / (pi^2/6 * r^2)) for r = 2..7, and rank one takes the remaining 72.
        assertArrayEquals(new int[] {72, 15, 6, 3, 2, 1, 1}, FrequentWordsExtraction.zipfCounts(100));
    }
}
