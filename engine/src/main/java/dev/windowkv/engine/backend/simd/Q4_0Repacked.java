package dev.windowkv.engine.backend.simd;

import static dev.windowkv.engine.backend.simd.Lanes.F;
import static dev.windowkv.engine.backend.simd.Lanes.I;
import static dev.windowkv.engine.backend.simd.Lanes.I16;
import static dev.windowkv.engine.backend.simd.Lanes.L;
import static dev.windowkv.engine.backend.simd.Lanes.LE;

import dev.windowkv.kernels.quant.Q4_0;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q4_0 rows repacked at load time so that a vector lane is a block, as llama.cpp repacks Q4_0 for its
 * CPU kernels. The GGUF layout puts a block's 32 weights side by side, so every block costs a nibble
 * split, two int→float conversions and a broadcast scale per 16 weights (14 vector instructions per
 * block, {@link Q4_0Simd#dot}): decode was bound by instructions, not by memory. Here {@link #G} blocks
 * (one per 16-bit lane of a full vector) share each instruction:
 *
 * <pre>
 * group (G blocks, 32·G columns, 18·G bytes, the size of G GGUF blocks):
 *   [G f16 scales][pair 0: bytes 0-1 of each block as a short]...[pair 7: bytes 14-15 of each block]
 * </pre>
 *
 * A short of pair s holds four weights of its block, one per nibble: 2s, 16 + 2s, 2s + 1 and 17 + 2s
 * (GGUF byte p holds weight p low and 16 + p high). Columns past the last whole group stay GGUF blocks
 * (a row of 2,048 is two groups on AVX-512; one of 896 is all tail).
 *
 * <p>Decode quantizes the activations to int8 per block of 32, as llama.cpp's Q4_0 × Q8_0 product does
 * ({@link #quantize}), laid out to match: a pair is one vector load, four nibble masks, and four 16-bit
 * multiply-adds for 4·G weights, with no widening. The sums fit 16 bits (two accumulators of 16
 * products, 16 · 15 · 127 < 2¹⁵); the −8 offset of Q4_0 comes off once per block as 8 · Σq_x. The
 * epilogue reads 16-bit lanes as 32-bit ones, even blocks in the low halves and odd in the high, so
 * quantize stores a block's scale and offset in that order. Prefill dequantizes the layout to f32 in
 * storage order ({@link #dequantize}) and permutes its activations to match ({@link #columns}): a dot
 * product does not depend on the order of its terms.
 */
public final class Q4_0Repacked {
    private Q4_0Repacked() {}

    static final VectorSpecies<Short> SG = F.withLanes(short.class);
    /** Blocks per group: the 16-bit lanes of a full vector (32 on AVX-512). */
    public static final int G = SG.length();
    /** Columns per group. */
    public static final int GROUP = G * Q4_0.BLOCK_SIZE;
    private static final int GROUP_BYTES = G * Q4_0.TYPE_SIZE;
    /** Bytes of scales at the head of a group. */
    private static final int SCALES = 2 * G;
    private static final int PAIRS = 8;

    /** Whether rows of this many columns have a whole group; narrower rows gain nothing from the layout. */
    public static boolean applies(int cols) {
        return cols >= GROUP && cols % Q4_0.BLOCK_SIZE == 0;
    }

    /** Weight of a block in nibble c (0-3, low first) of a pair-s short. */
    private static int weight(int s, int c) {
        return 2 * s + (c & 1) * 16 + (c >> 1);
    }

    /**
     * Rows [rowStart, rowEnd) of GGUF Q4_0 src into the repacked layout in dst (same row size). False,
     * leaving dst partly written, where a scale is infinite or NaN, which the vector f16 conversion of
     * {@link #dot} does not reproduce; such a weight keeps the GGUF kernels.
     */
    public static boolean repack(MemorySegment src, MemorySegment dst, int rowStart, int rowEnd, int cols, long rowBytes) {
        int groups = cols / GROUP;
        for (int r = rowStart; r < rowEnd; r++) {
            long row = r * rowBytes;
            for (int g = 0; g < groups; g++) {
                long to = row + (long) g * GROUP_BYTES;
                for (int j = 0; j < G; j++) {
                    long from = row + ((long) g * G + j) * Q4_0.TYPE_SIZE;
                    short d = src.get(I16, from);
                    if ((d & 0x7C00) == 0x7C00) return false;
                    dst.set(I16, to + 2L * j, d);
                    for (int s = 0; s < PAIRS; s++) {
                        dst.set(I16, to + SCALES + 2L * (s * G + j), src.get(I16, from + 2 + 2L * s));
                    }
                }
            }
            long tail = (long) groups * GROUP_BYTES;
            MemorySegment.copy(src, row + tail, dst, row + tail, rowBytes - tail);
        }
        return true;
    }

    /**
     * The column of the original row at each storage position: what {@link #dequantize} writes at k
     * belongs to column columns[k]. Within a group, position ((4s + c)·2 + e)·L + i is the weight of
     * nibble c of pair s in block 2i + e (dequantize reads 16-bit lanes as 32-bit ones).
     */
    public static int[] columns(int cols) {
        int[] c = new int[cols];
        int grouped = cols / GROUP * GROUP;
        for (int k = 0; k < cols; k++) {
            if (k >= grouped) {
                c[k] = k;
                continue;
            }
            int in = k % GROUP, i = in % L, e = in / L % 2, m = in / (2 * L);
            c[k] = k - in + (2 * i + e) * Q4_0.BLOCK_SIZE + weight(m / 4, m % 4);
        }
        return c;
    }

    /** Shorts {@link #quantize} writes for rows of cols values. */
    public static int quantizedSize(int cols) {
        return cols / GROUP * GROUP;
    }

    /** Per-block entries (scales, offsets) {@link #quantize} writes. */
    public static int blocks(int cols) {
        return cols / GROUP * G;
    }

    /**
     * The grouped part of x[xOff, xOff + cols) as int8 per block of 32 (d = max|x| / 127, q = round(x / d),
     * llama.cpp's Q8_0 rule), in storage order into xq[qOff ..]: the G values of nibble c of pair s are
     * xq[(4s + c)·G + j] for block j. Each block's d goes into dx[bOff ..] and 8 · Σq into sx8[bOff ..],
     * even blocks of a group first, then odd ones.
     */
    public static void quantize(float[] x, int xOff, int cols, short[] xq, int qOff, float[] dx, int[] sx8, int bOff) {
        int blocks = blocks(cols);
        int[] q = new int[Q4_0.BLOCK_SIZE];
        for (int b = 0; b < blocks; b++) {
            int xb = xOff + b * Q4_0.BLOCK_SIZE;
            FloatVector m = FloatVector.zero(F);
            for (int i = 0; i < Q4_0.BLOCK_SIZE; i += L) m = m.max(FloatVector.fromArray(F, x, xb + i).abs());
            float d = m.reduceLanes(VectorOperators.MAX) / 127f;
            float id = d != 0 ? 1f / d : 0f;
            int sum = 0;
            for (int i = 0; i < Q4_0.BLOCK_SIZE; i += L) {
                FloatVector v = FloatVector.fromArray(F, x, xb + i).mul(id);
                // Half away from zero, as llama.cpp's roundf: add ±0.5, then truncate.
                FloatVector half = v.reinterpretAsInts().and(0x80000000).or(0x3F000000).reinterpretAsFloats();
                IntVector r = (IntVector) v.add(half).convert(VectorOperators.F2I, 0);
                sum += r.reduceLanes(VectorOperators.ADD);
                r.intoArray(q, i);
            }
            int j = b % G, base = qOff + b / G * GROUP + j;
            for (int i = 0; i < Q4_0.BLOCK_SIZE; i++) xq[base + POSITION[i]] = (short) q[i];
            int at = bOff + b - j + (j % 2) * L + j / 2;
            dx[at] = d;
            sx8[at] = 8 * sum;
        }
    }

    /** Where weight i of a block goes in a group of xq, relative to its block's lane: (4s + c)·G. */
    private static final int[] POSITION = new int[Q4_0.BLOCK_SIZE];
    static {
        for (int s = 0; s < PAIRS; s++) {
            for (int c = 0; c < 4; c++) POSITION[weight(s, c)] = (4 * s + c) * G;
        }
    }

    /**
     * The row at byte rowOff (cols values) dotted with one token: its grouped part with the token as
     * {@link #quantize} left it (xq from qOff, dx and sx8 from bOff), the tail with x[xOff ..] in f32.
     */
    public static float dot(MemorySegment w, long rowOff, int cols, short[] xq, int qOff, float[] dx, int[] sx8,
                            int bOff, float[] x, int xOff) {
        // The row as all four of dot4's streams (the other passes read it from L1): one kernel to keep,
        // and only a range's last few rows come here.
        float[] out = new float[1];
        dot4(w, rowOff, 0, cols, xq, qOff, dx, sx8, bOff, x, xOff, out, 0, 0);
        return out[0];
    }

    /**
     * The rows at rowOff + k·stride (k = 0..3), each dotted as {@link #dot} describes, into
     * out[o + k·outStride]: four streams from far-apart rows keep more memory requests in flight than
     * two (from DRAM, one thread: 5.2 ms per 65,536 × 2,048 product, 6.6–6.8 ms with two), and they
     * share the activation loads.
     */
    public static void dot4(MemorySegment w, long rowOff, long stride, int cols, short[] xq, int qOff, float[] dx,
                            int[] sx8, int bOff, float[] x, int xOff, float[] out, int o, int outStride) {
        int groups = cols / GROUP;
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        ShortVector zero = ShortVector.zero(SG);
        for (int g = 0; g < groups; g++) {
            long g0 = rowOff + (long) g * GROUP_BYTES, g1 = g0 + stride, g2 = g1 + stride, g3 = g2 + stride;
            int xb = qOff + g * GROUP;
            ShortVector a0 = zero, b0 = zero, a1 = zero, b1 = zero, a2 = zero, b2 = zero, a3 = zero, b3 = zero;
            for (int s = 0; s < PAIRS; s++) {
                ShortVector v0 = ShortVector.fromMemorySegment(SG, w, g0 + SCALES + 2L * s * G, LE);
                ShortVector v1 = ShortVector.fromMemorySegment(SG, w, g1 + SCALES + 2L * s * G, LE);
                ShortVector v2 = ShortVector.fromMemorySegment(SG, w, g2 + SCALES + 2L * s * G, LE);
                ShortVector v3 = ShortVector.fromMemorySegment(SG, w, g3 + SCALES + 2L * s * G, LE);
                int xs = xb + 4 * s * G;
                ShortVector x0 = ShortVector.fromArray(SG, xq, xs), x1 = ShortVector.fromArray(SG, xq, xs + G);
                ShortVector x2 = ShortVector.fromArray(SG, xq, xs + 2 * G), x3 = ShortVector.fromArray(SG, xq, xs + 3 * G);
                a0 = v0.and((short) 0xF).mul(x0).add(a0);
                a1 = v1.and((short) 0xF).mul(x0).add(a1);
                a2 = v2.and((short) 0xF).mul(x0).add(a2);
                a3 = v3.and((short) 0xF).mul(x0).add(a3);
                b0 = v0.lanewise(VectorOperators.LSHR, 4).and((short) 0xF).mul(x1).add(b0);
                b1 = v1.lanewise(VectorOperators.LSHR, 4).and((short) 0xF).mul(x1).add(b1);
                b2 = v2.lanewise(VectorOperators.LSHR, 4).and((short) 0xF).mul(x1).add(b2);
                b3 = v3.lanewise(VectorOperators.LSHR, 4).and((short) 0xF).mul(x1).add(b3);
                a0 = v0.lanewise(VectorOperators.LSHR, 8).and((short) 0xF).mul(x2).add(a0);
                a1 = v1.lanewise(VectorOperators.LSHR, 8).and((short) 0xF).mul(x2).add(a1);
                a2 = v2.lanewise(VectorOperators.LSHR, 8).and((short) 0xF).mul(x2).add(a2);
                a3 = v3.lanewise(VectorOperators.LSHR, 8).and((short) 0xF).mul(x2).add(a3);
                b0 = v0.lanewise(VectorOperators.LSHR, 12).mul(x3).add(b0);
                b1 = v1.lanewise(VectorOperators.LSHR, 12).mul(x3).add(b1);
                b2 = v2.lanewise(VectorOperators.LSHR, 12).mul(x3).add(b2);
                b3 = v3.lanewise(VectorOperators.LSHR, 12).mul(x3).add(b3);
            }
            int k = bOff + g * G;
            IntVector offEven = IntVector.fromArray(I, sx8, k), offOdd = IntVector.fromArray(I, sx8, k + L);
            FloatVector dxEven = FloatVector.fromArray(F, dx, k), dxOdd = FloatVector.fromArray(F, dx, k + L);
            // The rows' epilogues, spelled out: a helper is not inlined (C2's budget for this method is spent)
            // and would box every vector. Even blocks sit in the low 16 bits of each 32-bit lane, odd in the high;
            // the scales are lowHalves and highHalves (see there).
            IntVector sum0 = a0.add(b0).reinterpretAsInts(), d0 = ShortVector.fromMemorySegment(SG, w, g0, LE).reinterpretAsInts();
            acc0 = ((FloatVector) sum0.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).sub(offEven)
                    .convert(VectorOperators.I2F, 0)).mul(d0.lanewise(VectorOperators.LSHL, 16)
                    .lanewise(VectorOperators.ASHR, 3).and(0x8FFFE000).reinterpretAsFloats().mul(0x1p112f)).fma(dxEven, acc0);
            acc0 = ((FloatVector) sum0.lanewise(VectorOperators.ASHR, 16).sub(offOdd).convert(VectorOperators.I2F, 0))
                    .mul(d0.lanewise(VectorOperators.ASHR, 3).and(0x8FFFE000).reinterpretAsFloats().mul(0x1p112f))
                    .fma(dxOdd, acc0);
            IntVector sum1 = a1.add(b1).reinterpretAsInts(), d1 = ShortVector.fromMemorySegment(SG, w, g1, LE).reinterpretAsInts();
            acc1 = ((FloatVector) sum1.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).sub(offEven)
                    .convert(VectorOperators.I2F, 0)).mul(d1.lanewise(VectorOperators.LSHL, 16)
                    .lanewise(VectorOperators.ASHR, 3).and(0x8FFFE000).reinterpretAsFloats().mul(0x1p112f)).fma(dxEven, acc1);
            acc1 = ((FloatVector) sum1.lanewise(VectorOperators.ASHR, 16).sub(offOdd).convert(VectorOperators.I2F, 0))
                    .mul(d1.lanewise(VectorOperators.ASHR, 3).and(0x8FFFE000).reinterpretAsFloats().mul(0x1p112f))
                    .fma(dxOdd, acc1);
            IntVector sum2 = a2.add(b2).reinterpretAsInts(), d2 = ShortVector.fromMemorySegment(SG, w, g2, LE).reinterpretAsInts();
            acc2 = ((FloatVector) sum2.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).sub(offEven)
                    .convert(VectorOperators.I2F, 0)).mul(d2.lanewise(VectorOperators.LSHL, 16)
                    .lanewise(VectorOperators.ASHR, 3).and(0x8FFFE000).reinterpretAsFloats().mul(0x1p112f)).fma(dxEven, acc2);
            acc2 = ((FloatVector) sum2.lanewise(VectorOperators.ASHR, 16).sub(offOdd).convert(VectorOperators.I2F, 0))
                    .mul(d2.lanewise(VectorOperators.ASHR, 3).and(0x8FFFE000).reinterpretAsFloats().mul(0x1p112f))
                    .fma(dxOdd, acc2);
            IntVector sum3 = a3.add(b3).reinterpretAsInts(), d3 = ShortVector.fromMemorySegment(SG, w, g3, LE).reinterpretAsInts();
            acc3 = ((FloatVector) sum3.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).sub(offEven)
                    .convert(VectorOperators.I2F, 0)).mul(d3.lanewise(VectorOperators.LSHL, 16)
                    .lanewise(VectorOperators.ASHR, 3).and(0x8FFFE000).reinterpretAsFloats().mul(0x1p112f)).fma(dxEven, acc3);
            acc3 = ((FloatVector) sum3.lanewise(VectorOperators.ASHR, 16).sub(offOdd).convert(VectorOperators.I2F, 0))
                    .mul(d3.lanewise(VectorOperators.ASHR, 3).and(0x8FFFE000).reinterpretAsFloats().mul(0x1p112f))
                    .fma(dxOdd, acc3);
        }
        float s0 = acc0.reduceLanes(VectorOperators.ADD), s1 = acc1.reduceLanes(VectorOperators.ADD);
        float s2 = acc2.reduceLanes(VectorOperators.ADD), s3 = acc3.reduceLanes(VectorOperators.ADD);
        int done = groups * GROUP;
        if (done < cols) {
            long tail = (long) groups * GROUP_BYTES;
            s0 += Q4_0Simd.dot(w, rowOff + tail, x, xOff + done, cols - done);
            s1 += Q4_0Simd.dot(w, rowOff + stride + tail, x, xOff + done, cols - done);
            s2 += Q4_0Simd.dot(w, rowOff + 2 * stride + tail, x, xOff + done, cols - done);
            s3 += Q4_0Simd.dot(w, rowOff + 3 * stride + tail, x, xOff + done, cols - done);
        }
        out[o] = s0;
        out[o + outStride] = s1;
        out[o + 2 * outStride] = s2;
        out[o + 3 * outStride] = s3;
    }

    /**
     * Storage positions [k0, k0 + len) of the row at byte rowOff as f32, (q − 8)·d exactly as the scalar
     * reference rounds it. Within the groups k0 and len are multiples of 4·G (a K segment of 256 is).
     */
    public static void dequantize(MemorySegment w, long rowOff, int cols, int k0, float[] out, int outOff, int len) {
        int grouped = cols / GROUP * GROUP, end = k0 + len, k = k0, o = outOff;
        while (k < end && k < grouped) {
            int g = k / GROUP;
            long go = rowOff + (long) g * GROUP_BYTES;
            IntVector d = ShortVector.fromMemorySegment(SG, w, go, LE).reinterpretAsInts();
            FloatVector dEven = lowHalves(d), dOdd = highHalves(d);
            for (int stop = Math.min(end, (g + 1) * GROUP); k < stop; k += 4 * G, o += 4 * G) {
                IntVector v = ShortVector.fromMemorySegment(SG, w, go + SCALES + (long) (k % GROUP) / 2, LE).reinterpretAsInts();
                for (int c = 0; c < 4; c++) {
                    int at = o + 2 * c * L;
                    ((FloatVector) v.lanewise(VectorOperators.LSHR, 4 * c).and(0xF).sub(8).convert(VectorOperators.I2F, 0))
                            .mul(dEven).intoArray(out, at);
                    ((FloatVector) v.lanewise(VectorOperators.LSHR, 16 + 4 * c).and(0xF).sub(8).convert(VectorOperators.I2F, 0))
                            .mul(dOdd).intoArray(out, at + L);
                }
            }
        }
        if (k < end) Q4_0Simd.dequantizeRow(w, rowOff + (long) (k / Q4_0.BLOCK_SIZE) * Q4_0.TYPE_SIZE, out, o, end - k);
    }

    /*
     * f16 scales to f32, two per 32-bit lane: the exponent and mantissa move into place under the sign
     * (an arithmetic shift by 3 copies the sign over the three exponent bits f32 has beyond f16's, the
     * mask clears them), and 2¹¹² rebiases them. Exact for normal and subnormal halves, not for inf or
     * NaN, which repack refuses. The Vector API has no lanewise f16 conversion; dot4 spells these out
     * so that C2's inlining budget is not spent on a helper (it was, and the kernel ran boxed).
     */

    /** The f16 in the low half of each lane. */
    private static FloatVector lowHalves(IntVector h) {
        return h.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(0x8FFFE000)
                .reinterpretAsFloats().mul(0x1p112f);
    }

    /** The f16 in the high half of each lane. */
    private static FloatVector highHalves(IntVector h) {
        return h.lanewise(VectorOperators.ASHR, 3).and(0x8FFFE000).reinterpretAsFloats().mul(0x1p112f);
    }
}
