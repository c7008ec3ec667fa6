package dev.windowkv.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HalfTest {

    @Test
    void workedExamples() {
        assertEquals(1.0f, Half.f16ToF32(0x3C00));
        assertEquals(-2.0f, Half.f16ToF32(0xC000));
        assertEquals(0.5f, Half.f16ToF32(0x3800));
        assertEquals(65504f, Half.f16ToF32(0x7BFF));
        assertEquals(0x1p-24f, Half.f16ToF32(0x0001)); // smallest subnormal
        assertEquals(0x3ffp-24f, Half.f16ToF32(0x03FF)); // largest subnormal
        assertEquals(0x1p-14f, Half.f16ToF32(0x0400)); // smallest normal
        assertEquals(Float.POSITIVE_INFINITY, Half.f16ToF32(0x7C00));
        assertEquals(Float.NEGATIVE_INFINITY, Half.f16ToF32(0xFC00));
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(Half.f16ToF32(0x8000)));
        assertTrue(Float.isNaN(Half.f16ToF32(0x7E00)));

        assertEquals((short) 0x3C00, Half.f32ToF16(1.0f));
        assertEquals((short) 0x3C00, Half.f32ToF16(1.0f + 0x1p-11f)); // tie: 1 is even, stays
        assertEquals((short) 0x3C02, Half.f32ToF16(1.0f + 3 * 0x1p-11f)); // tie: 0x3C01 is odd, up
        assertEquals((short) 0x3C01, Half.f32ToF16(1.0f + 0x1p-11f + 0x1p-20f)); // past the tie
        assertEquals((short) 0x7BFF, Half.f32ToF16(65519f));
        assertEquals((short) 0x7C00, Half.f32ToF16(65520f)); // tie between 65504 and 65536 rounds to inf
        assertEquals((short) 0x0000, Half.f32ToF16(0x1p-25f)); // tie with 0
        assertEquals((short) 0x0001, Half.f32ToF16(0x1.000002p-25f));
        assertEquals((short) 0x0400, Half.f32ToF16(0x3ffp-24f + 0x1p-25f)); // largest subnormal + tie -> smallest normal
        assertEquals((short) 0x8000, Half.f32ToF16(-0f));
        assertEquals((short) 0xFC00, Half.f32ToF16(Float.NEGATIVE_INFINITY));
        assertEquals((short) 0x7E00, Half.f32ToF16(Float.NaN));
    }

    @Test
    void everyF16PatternDecodesLikeTheJdkAndRoundTrips() {
        for (int h = 0; h < 65536; h++) {
            float f = Half.f16ToF32(h);
            float jdk = Float.float16ToFloat((short) h);
            if (Float.isNaN(jdk)) {
                assertTrue(Float.isNaN(f), "pattern " + h);
                assertTrue(Float.isNaN(Half.f16ToF32(Half.f32ToF16(f))), "pattern " + h);
            } else {
                assertEquals(Float.floatToRawIntBits(jdk), Float.floatToRawIntBits(f), "pattern " + h);
                assertEquals((short) h, Half.f32ToF16(f), "pattern " + h);
            }
        }
    }

    @Test
    void f32ToF16RoundsToNearestEvenLikeTheJdk() {
        SplittableRandom rnd = new SplittableRandom(1);
        for (int i = 0; i < 2_000_000; i++) {
            // Bias towards the f16 range (|x| < 2^17) so subnormals, normals and overflow are all hit.
            int bits = i % 2 == 0 ? rnd.nextInt() : (rnd.nextInt(0x30000000, 0x48000000) | (rnd.nextBoolean() ? 0x80000000 : 0));
            float f = Float.intBitsToFloat(bits);
            if (Float.isNaN(f)) continue;
            assertEquals(Float.floatToFloat16(f), Half.f32ToF16(f), () -> "bits " + Integer.toHexString(bits));
        }
    }

    @Test
    void bf16() {
        assertEquals(1.0f, Half.bf16ToF32(0x3F80));
        assertEquals(-3.0f, Half.bf16ToF32(0xC040));
        assertEquals((short) 0x3F80, Half.f32ToBf16(1.0f));
        assertEquals((short) 0x3F80, Half.f32ToBf16(Float.intBitsToFloat(0x3F808000))); // tie, even stays
        assertEquals((short) 0x3F82, Half.f32ToBf16(Float.intBitsToFloat(0x3F818000))); // tie, odd goes up
        assertEquals((short) 0x3F81, Half.f32ToBf16(Float.intBitsToFloat(0x3F808001)));
        assertEquals((short) 0x7FC1, Half.f32ToBf16(Float.intBitsToFloat(0x7F810000))); // signalling NaN made quiet
        for (int b = 0; b < 65536; b++) {
            float f = Half.bf16ToF32(b);
            if (Float.isNaN(f)) {
                assertTrue(Float.isNaN(Half.bf16ToF32(Half.f32ToBf16(f))));
            } else {
                assertEquals((short) b, Half.f32ToBf16(f), "pattern " + b);
            }
        }
    }
}
