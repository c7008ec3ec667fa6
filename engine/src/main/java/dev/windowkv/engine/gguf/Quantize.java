package dev.windowkv.engine.gguf;

import dev.windowkv.kernels.Half;
import dev.windowkv.kernels.quant.Q4_0;
import dev.windowkv.kernels.quant.Q8_0;

/**
 * Turns f32 values into raw GGUF tensor bytes.
 *
 * <p>F32, F16, BF16, Q8_0 and Q4_0 round exactly as llama.cpp's reference quantizers
 * ({@code quantize_row_*_ref}, used by llama-quantize without an importance matrix), so the bytes match.
 * The Q8_0 and Q4_0 block quantizers live with their kernels, where the quantized KV cache uses them too.
 * Q4_K, Q5_K and Q6_K use a simpler quantizer than llama.cpp's (no search over candidate scales):
 * the blocks are valid and dequantize close to the input, but are not byte-identical to llama.cpp's.
 */
public final class Quantize {
    private Quantize() {}

    /** Row-major values; {@code values.length} must be a multiple of the type's block size. */
    public static byte[] quantize(GGMLType t, float[] values) {
        if (values.length % t.blockSize != 0) {
            throw new IllegalArgumentException(values.length + " values is not a multiple of the " + t + " block size " + t.blockSize);
        }
        byte[] out = new byte[(int) t.byteSize(values.length)];
        int blocks = values.length / t.blockSize;
        for (int b = 0; b < blocks; b++) {
            int x = b * t.blockSize;
            int o = b * t.typeSize;
            switch (t) {
                case F32 -> putI32(out, o, Float.floatToRawIntBits(values[x]));
                case F16 -> putI16(out, o, Half.f32ToF16(values[x]));
                case BF16 -> putI16(out, o, Half.f32ToBf16(values[x]));
                case Q8_0 -> Q8_0.quantizeBlock(values, x, out, o);
                case Q4_0 -> Q4_0.quantizeBlock(values, x, out, o);
                case Q4_K -> qK(values, x, out, o, 15);
                case Q5_K -> qK(values, x, out, o, 31);
                case Q6_K -> q6_K(values, x, out, o);
                default -> throw new IllegalArgumentException("cannot quantize to " + t);
            }
        }
        return out;
    }

    /** Q4_K (nmax 15) and Q5_K (nmax 31): eight sub-blocks of 32, each x ≈ scale * q - min. */
    private static void qK(float[] v, int x, byte[] out, int o, int nmax) {
        float[] scales = new float[8];
        float[] mins = new float[8];
        float maxScale = 0f, maxMin = 0f;
        for (int j = 0; j < 8; j++) {
            float lo = 0f, hi = v[x + 32 * j];
            for (int l = 0; l < 32; l++) {
                lo = Math.min(lo, v[x + 32 * j + l]);
                hi = Math.max(hi, v[x + 32 * j + l]);
            }
            scales[j] = hi > lo ? (hi - lo) / nmax : 0f;
            mins[j] = -lo;
            maxScale = Math.max(maxScale, scales[j]);
            maxMin = Math.max(maxMin, mins[j]);
        }
        float invScale = maxScale > 0 ? 63f / maxScale : 0f;
        float invMin = maxMin > 0 ? 63f / maxMin : 0f;
        int[] ls = new int[8];
        int[] lm = new int[8];
        for (int j = 0; j < 8; j++) {
            ls[j] = Math.min(63, nearestInt(invScale * scales[j]));
            lm[j] = Math.min(63, nearestInt(invMin * mins[j]));
        }
        short dBits = Half.f32ToF16(maxScale / 63f);
        short dminBits = Half.f32ToF16(maxMin / 63f);
        putI16(out, o, dBits);
        putI16(out, o + 2, dminBits);
        int s = o + 4;
        for (int j = 0; j < 4; j++) {
            out[s + j] = (byte) (ls[j] | ((ls[j + 4] >> 4) << 6));
            out[s + j + 4] = (byte) (lm[j] | ((lm[j + 4] >> 4) << 6));
            out[s + j + 8] = (byte) ((ls[j + 4] & 0xF) | ((lm[j + 4] & 0xF) << 4));
        }
        // Quantize against the scales as stored (f16 and 6-bit), so rounding errors do not add up.
        float d = Half.f16ToF32(dBits);
        float dmin = Half.f16ToF32(dminBits);
        int[] q = new int[256];
        for (int j = 0; j < 8; j++) {
            float dl = d * ls[j];
            if (dl == 0f) continue;
            float ml = dmin * lm[j];
            for (int l = 0; l < 32; l++) {
                q[32 * j + l] = Math.max(0, Math.min(nmax, nearestInt((v[x + 32 * j + l] + ml) / dl)));
            }
        }
        boolean five = nmax == 31;
        int qs = o + (five ? 48 : 16);
        for (int g = 0; g < 4; g++) {
            for (int l = 0; l < 32; l++) {
                int a = q[64 * g + l];
                int c = q[64 * g + 32 + l];
                out[qs + 32 * g + l] = (byte) ((a & 0xF) | ((c & 0xF) << 4));
                if (five) {
                    out[o + 16 + l] |= (byte) (((a >> 4) << (2 * g)) | ((c >> 4) << (2 * g + 1)));
                }
            }
        }
    }

    /** Q6_K: sixteen sub-blocks of 16, x ≈ d * scale * (q - 32) with a signed 8-bit scale each. */
    private static void q6_K(float[] v, int x, byte[] out, int o) {
        float[] scales = new float[16];
        float maxScale = 0f, maxAbsScale = 0f;
        for (int s = 0; s < 16; s++) {
            float amax = 0f, max = 0f;
            for (int l = 0; l < 16; l++) {
                float a = v[x + 16 * s + l];
                if (Math.abs(a) > amax) {
                    amax = Math.abs(a);
                    max = a;
                }
            }
            scales[s] = max / -32;
            if (Math.abs(scales[s]) > maxAbsScale) {
                maxAbsScale = Math.abs(scales[s]);
                maxScale = scales[s];
            }
        }
        if (maxAbsScale == 0f) return; // all zero: d = 0, everything else 0
        float iscale = -128f / maxScale;
        short dBits = Half.f32ToF16(1 / iscale);
        putI16(out, o + 208, dBits);
        float d = Half.f16ToF32(dBits);
        int[] q = new int[256];
        for (int s = 0; s < 16; s++) {
            // Round the 8-bit scale away from zero (llama.cpp rounds to nearest and then searches):
            // the step never shrinks below what the sub-block needs, so no value clamps at -32.
            float want = iscale * scales[s];
            int sc = Math.max(-128, Math.min(127, (int) Math.copySign(Math.ceil(Math.abs(want) - 1e-4f), want)));
            out[o + 192 + s] = (byte) sc;
            float dl = d * sc;
            for (int l = 0; l < 16; l++) {
                int e = 16 * s + l;
                q[e] = dl == 0f ? 32 : Math.max(-32, Math.min(31, nearestInt(v[x + e] / dl))) + 32;
            }
        }
        for (int h = 0; h < 2; h++) {
            int e = 128 * h;
            for (int l = 0; l < 32; l++) {
                int q1 = q[e + l], q2 = q[e + l + 32], q3 = q[e + l + 64], q4 = q[e + l + 96];
                out[o + 64 * h + l] = (byte) ((q1 & 0xF) | ((q3 & 0xF) << 4));
                out[o + 64 * h + l + 32] = (byte) ((q2 & 0xF) | ((q4 & 0xF) << 4));
                out[o + 128 + 32 * h + l] = (byte) ((q1 >> 4) | ((q2 >> 4) << 2) | ((q3 >> 4) << 4) | ((q4 >> 4) << 6));
            }
        }
    }

    /** ggml's nearest_int: halves to even. */
    private static int nearestInt(float f) {
        return (int) Math.rint(f);
    }

    private static void putI16(byte[] b, int off, short v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >> 8);
    }

    private static void putI32(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >> 8);
        b[off + 2] = (byte) (v >> 16);
        b[off + 3] = (byte) (v >> 24);
    }
}
