package dev.windowkv.engine.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.windowkv.engine.backend.simd.SimdMatmul;
import dev.windowkv.kernels.Half;
import dev.windowkv.kernels.quant.Q4_0;
import dev.windowkv.kernels.quant.Q4_K;
import dev.windowkv.kernels.quant.Q5_K;
import dev.windowkv.kernels.quant.Q6_K;
import dev.windowkv.kernels.quant.Q8_0;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class QuantizeTest {

    static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
        return b;
    }

    @Test
    void floatTypes() {
        float[] v = {1f, -2f, 1f + 0x1p-11f, 65520f};
        assertArrayEquals(bytes(0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x10, 0x80, 0x3F, 0x00, 0xF0, 0x7F, 0x47),
                Quantize.quantize(GGMLType.F32, v));
        // 1 + 2^-11 is a tie between 0x3C00 and 0x3C01: even wins. 65520 overflows to +inf.
        assertArrayEquals(bytes(0x00, 0x3C, 0x00, 0xC0, 0x00, 0x3C, 0x00, 0x7C), Quantize.quantize(GGMLType.F16, v));
        assertArrayEquals(bytes(0x80, 0x3F, 0x00, 0xC0, 0x80, 0x3F, 0x80, 0x47), Quantize.quantize(GGMLType.BF16, v));
    }

    /** amax 127 gives d = 1; ties round away from zero as C's roundf does (2.5 -> 3, -2.5 -> -3). */
    @Test
    void q8_0WorkedExample() {
        float[] v = new float[32];
        v[0] = 127f; v[1] = 2.5f; v[2] = -2.5f; v[3] = 0.4f; v[4] = -99.6f;
        byte[] expected = new byte[34];
        expected[0] = 0x00; expected[1] = 0x3C;  // d = 1.0
        expected[2] = 127; expected[3] = 3; expected[4] = -3; expected[5] = 0; expected[6] = -100;
        assertArrayEquals(expected, Quantize.quantize(GGMLType.Q8_0, v));
    }

    /**
     * The value of largest magnitude, -8, sets d = -8 / -8 = 1; q = min(15, (int) (v / d + 8.5)),
     * so 0.5 -> 9 (ties go up), 7.9 -> 16 clamped to 15.
     */
    @Test
    void q4_0WorkedExample() {
        float[] v = new float[32];
        v[0] = -8f; v[1] = 7.9f; v[2] = 0.5f; v[3] = -0.5f; v[16] = 3f;
        byte[] expected = new byte[18];
        expected[0] = 0x00; expected[1] = 0x3C;    // d = 1.0
        for (int j = 2; j < 18; j++) expected[j] = (byte) 0x88; // zeros: q = 8 in both nibbles
        expected[2] = (byte) 0xB0;                 // v[0] -> 0, v[16] -> 11
        expected[3] = (byte) 0x8F;                 // v[1] -> 15, v[17] -> 8
        expected[4] = (byte) 0x89;                 // v[2] -> 9
        expected[5] = (byte) 0x88;                 // v[3] -> 8
        assertArrayEquals(expected, Quantize.quantize(GGMLType.Q4_0, v));
    }

    /** Q8_0: |v - dequantized| <= d/2 plus the f16 rounding of d over 127 steps. */
    @Test
    void q8_0ErrorBound() {
        float[] v = gaussian(32 * 64, 11);
        byte[] q = Quantize.quantize(GGMLType.Q8_0, v);
        float[] back = new float[v.length];
        Q8_0.dequantizeRow(q, 0, back, 0, v.length);
        for (int b = 0; b < v.length / 32; b++) {
            float amax = 0;
            for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(v[32 * b + j]));
            float d = amax / 127;
            for (int j = 0; j < 32; j++) {
                int i = 32 * b + j;
                assertEquals(v[i], back[i], d * (0.5f + 127f / 2048f) + 1e-6f, "value " + i);
            }
        }
    }

    /** Q4_0: |v - dequantized| <= |d| (the clamp at q = 15 costs a whole step), plus f16 rounding of d. */
    @Test
    void q4_0ErrorBound() {
        float[] v = gaussian(32 * 64, 12);
        byte[] q = Quantize.quantize(GGMLType.Q4_0, v);
        float[] back = new float[v.length];
        Q4_0.dequantizeRow(q, 0, back, 0, v.length);
        for (int b = 0; b < v.length / 32; b++) {
            float d = Math.abs(Half.f16ToF32(q[18 * b] & 0xff | (q[18 * b + 1] & 0xff) << 8));
            for (int j = 0; j < 32; j++) {
                int i = 32 * b + j;
                assertEquals(v[i], back[i], d * (1f + 8f / 2048f) + 1e-6f, "value " + i);
            }
        }
    }

    /** Relative RMS error of quantize -> dequantize on Gaussian values, per type. */
    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q5_K", "Q6_K"})
    void roundTripError(GGMLType t) {
        float[] v = gaussian(256 * 32, 13 + t.id);
        byte[] q = Quantize.quantize(t, v);
        assertEquals(t.byteSize(v.length), q.length);
        float[] back = new float[v.length];
        SimdMatmul.dequantizeRow(t, MemorySegment.ofArray(q), 0, back, 0, v.length);
        double err = 0, ref = 0;
        for (int i = 0; i < v.length; i++) {
            err += (v[i] - back[i]) * (double) (v[i] - back[i]);
            ref += v[i] * (double) v[i];
        }
        double rel = Math.sqrt(err / ref);
        System.out.println(t + " relative RMS error " + rel);
        assertTrue(rel <= maxRelativeRms(t), t + " relative RMS error " + rel);
    }

    static double maxRelativeRms(GGMLType t) {
        return switch (t) {
            case F32 -> 0;
            case F16 -> 4e-4;
            case BF16 -> 3e-3;
            case Q8_0 -> 1e-2;
            case Q6_K -> 3e-2;
            case Q5_K -> 6e-2;
            case Q4_0, Q4_K -> 0.12;
            default -> throw new IllegalArgumentException();
        };
    }

    /** An all-zero block comes back as zeros. */
    @ParameterizedTest
    @EnumSource(names = {"Q8_0", "Q4_0", "Q4_K", "Q5_K", "Q6_K"})
    void degenerateBlocks(GGMLType t) {
        float[] zeros = new float[256];
        float[] back = new float[256];
        SimdMatmul.dequantizeRow(t, MemorySegment.ofArray(Quantize.quantize(t, zeros)), 0, back, 0, 256);
        assertArrayEquals(zeros, back, 0f); // -0.0 allowed: Q4_0 stores d = 0 / -8 = -0.0, as llama.cpp does
    }

    @Test
    void kQuantsUseAllSixBitsOfScalesAndMins() {
        // Sub-block j spans [-j, 8 j]: scales and mins grow with j, so the packed high bits are exercised.
        float[] v = new float[256];
        for (int j = 0; j < 8; j++) {
            for (int l = 0; l < 32; l++) v[32 * j + l] = -j + (9f * j + 1) * l / 31f;
        }
        for (GGMLType t : new GGMLType[] {GGMLType.Q4_K, GGMLType.Q5_K}) {
            byte[] q = Quantize.quantize(t, v);
            assertEquals(63, Q4_K.scale(q, 4, 7), t + " largest scale");
            assertEquals(63, Q4_K.min(q, 4, 7), t + " largest min");
            float[] back = new float[256];
            if (t == GGMLType.Q4_K) Q4_K.dequantizeRow(q, 0, back, 0, 256);
            else Q5_K.dequantizeRow(q, 0, back, 0, 256);
            for (int i = 0; i < 256; i++) {
                // Half a step of the sub-block (range/15 or /31) plus the 6-bit rounding of scale and min.
                float step = (9f * (i / 32) + 1) / (t == GGMLType.Q4_K ? 15 : 31);
                assertEquals(v[i], back[i], step * 0.5f + 8f / 63f * 1.01f, t + " value " + i);
            }
        }
        byte[] q6 = Quantize.quantize(GGMLType.Q6_K, v);
        float[] six = new float[256];
        Q6_K.dequantizeRow(q6, 0, six, 0, 256);
        float d = Half.f16ToF32(q6[208] & 0xff | (q6[209] & 0xff) << 8);
        for (int s = 0; s < 16; s++) {
            float amax = 0;
            for (int l = 0; l < 16; l++) amax = Math.max(amax, Math.abs(v[16 * s + l]));
            float step = Math.abs(d * q6[192 + s]);
            // The step covers the sub-block (no clamping at -32) yet is at most one 8-bit unit of d too big;
            // every value is within half a step, or a whole step where the opposite extreme clamps at +31.
            assertTrue(step * 32 >= amax * 0.999f && step <= amax / 32 + Math.abs(d) * 1.001f, "Q6_K step of sub-block " + s);
            for (int l = 0; l < 16; l++) assertEquals(v[16 * s + l], six[16 * s + l], step * 1.001f, "Q6_K value " + (16 * s + l));
        }
    }

    @Test
    void rejectsPartialBlocksAndUnsupportedTypes() {
        assertThrows(IllegalArgumentException.class, () -> Quantize.quantize(GGMLType.Q4_K, new float[255]));
        assertThrows(IllegalArgumentException.class, () -> Quantize.quantize(GGMLType.Q2_K, new float[256]));
    }

    static float[] gaussian(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rnd.nextGaussian();
        return v;
    }
}
