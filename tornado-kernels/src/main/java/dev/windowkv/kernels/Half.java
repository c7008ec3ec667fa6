package dev.windowkv.kernels;

/**
 * IEEE binary16 ("f16", ggml_half) and bfloat16 ("bf16") conversions by bit manipulation.
 * Written out by hand rather than with {@code Float.float16ToFloat} so that TornadoVM can compile it.
 * Only {@link #f16ToF32} is free of bit reinterpretation ({@code Float.intBitsToFloat} and
 * {@code floatToRawIntBits}), which TornadoVM 5.2.0's OpenCL backend does not implement; the others
 * run on the host only (see SubsetCheckTest).
 */
public final class Half {
    private Half() {}

    /**
     * f16 bits (low 16 bits of {@code h}) to f32; exact for every pattern, subnormals and infinities
     * included; a NaN stays a NaN (its payload is not kept). Pure arithmetic, without
     * {@code Float.intBitsToFloat}: TornadoVM 5.2.0's OpenCL backend cannot compile bit reinterpretation.
     */
    public static float f16ToF32(int h) {
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        float v;
        if (exp == 0x1f) {
            // The NaN is made at run time (0 · ∞): TornadoVM 5.2.0's OpenCL backend prints a NaN
            // constant as "NaNF", which does not compile (it rewrites only infinities).
            v = mant == 0 ? Float.POSITIVE_INFINITY : mant * 0f * Float.POSITIVE_INFINITY;
        } else if (exp == 0) {
            v = mant * 0x1p-24f; // zero or subnormal: mant * 2^-24, exact in f32
        } else {
            // (1024 + mant) * 2^(exp - 25): an 11-bit integer times powers of two, so every step is exact.
            v = (mant + 1024) * (float) (1 << (exp - 1)) * 0x1p-24f;
        }
        return (h & 0x8000) != 0 ? -v : v;
    }

    /** f32 to f16 bits, rounding to nearest even (as F16C's vcvtps2ph does); NaN stays a quiet NaN. */
    public static short f32ToF16(float f) {
        int x = Float.floatToRawIntBits(f);
        int sign = (x >>> 16) & 0x8000;
        int abs = x & 0x7fffffff;
        if (abs > 0x7f800000) {
            return (short) (sign | 0x7e00 | ((abs >>> 13) & 0x3ff));
        }
        if (abs >= 0x477ff000) {
            // At or past the midpoint between 65504 (odd mantissa) and 65536: infinity.
            return (short) (sign | 0x7c00);
        }
        if (abs >= 0x38800000) {
            // Normal f16: rebias exponent, round the 13 dropped bits; a carry ripples into the exponent.
            int h = (((abs >>> 23) - 112) << 10) | ((abs >>> 13) & 0x3ff);
            int rest = abs & 0x1fff;
            if (rest > 0x1000 || (rest == 0x1000 && (h & 1) != 0)) {
                h++;
            }
            return (short) (sign | h);
        }
        if (abs <= 0x33000000) {
            // At most 2^-25, half the smallest subnormal: ties to even, i.e. to zero.
            return (short) sign;
        }
        // Subnormal f16: count in units of 2^-24.
        int m = (abs & 0x7fffff) | 0x800000;
        int shift = 126 - (abs >>> 23);
        int h = m >>> shift;
        int rest = m & ((1 << shift) - 1);
        int half = 1 << (shift - 1);
        if (rest > half || (rest == half && (h & 1) != 0)) {
            h++;
        }
        return (short) (sign | h);
    }

    /** bf16 bits (low 16 bits of {@code b}) to f32: bf16 is the top half of an f32. */
    public static float bf16ToF32(int b) {
        return Float.intBitsToFloat(b << 16);
    }

    /** f32 to bf16 bits, round to nearest even, NaN forced quiet; matches ggml_compute_fp32_to_bf16. */
    public static short f32ToBf16(float f) {
        int x = Float.floatToRawIntBits(f);
        if ((x & 0x7fffffff) > 0x7f800000) {
            return (short) ((x >>> 16) | 64);
        }
        return (short) ((x + (0x7fff + ((x >>> 16) & 1))) >>> 16);
    }
}
