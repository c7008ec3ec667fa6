package dev.windowkv.experiments.tasks;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SampleSpecTest {
    @Test
    void depthMustLieInTheUnitInterval() {
        assertEquals("needle depth must be between 0 and 1, got 1.5",
                assertThrows(SampleSpecError.class, () -> new SampleSpec(1024, 1.5, 1, Haystack.PROSE)).getMessage());
        assertThrows(SampleSpecError.class, () -> new SampleSpec(1024, -0.1, 1, Haystack.PROSE));
        assertThrows(SampleSpecError.class, () -> new SampleSpec(1024, Double.NaN, 1, Haystack.PROSE));
    }

    @Test
    void targetMustBePositive() {
        assertThrows(SampleSpecError.class, () -> new SampleSpec(0, 0.5, 1, Haystack.PROSE));
    }

    @Test
    void targetShorterThanTheQuestionIsRefused() {
        SampleSpecError e = assertThrows(SampleSpecError.class, () ->
                TaskSuite.byName("niah_single").generate(new WordTokenizer(), new SampleSpec(20, 0.5, 1, Haystack.PROSE)));
        assertEquals(true, e.getMessage().startsWith("niah_single needs at least "), e.getMessage());
    }

    @Test
    void haystackByName() {
        assertEquals(Haystack.PROSE, Haystack.byName("prose"));
        assertEquals(Haystack.NOISE, Haystack.byName("NOISE"));
        assertEquals("unknown haystack 'essay'; use one of: prose, noise",
                assertThrows(SampleSpecError.class, () -> Haystack.byName("essay")).getMessage());
    }
}
