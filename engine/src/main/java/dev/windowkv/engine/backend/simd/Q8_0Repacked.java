package dev.windowkv.engine.backend.simd;

import static dev.windowkv.engine.backend.simd.Lanes.F;
import static dev.windowkv.engine.backend.simd.Lanes.I16;
import static dev.windowkv.engine.backend.simd.Lanes.LE;

import dev.windowkv.kernels.quant.Q8_0;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q8_0 rows repacked at load time so that a float lane is a block. In the GGUF layout a block's 32
 * weights sit side by side, so each block costs two widening loads, two conversions, two FMAs and a
 * scalar f16 scale broadcast into a vector ({@link Q8_0Simd#dot4}, about 12 vector instructions per
 * block and row): on Zen 4 decode ran at 56–59% of the bandwidth limit, bound by instructions, where
 * llama.cpp reaches 87%. Here {@link #G} blocks (one per float lane) share every instruction:
 *
 * <pre>
 * group (G blocks, 32·G columns, 34·G bytes, the size of G GGUF blocks):
 *   [G f16 scales][weight 0 of each block][weight 1 of each block]...[weight 31 of each block]
 * </pre>
 *
 * A weight position is then one widening load, one conversion and one FMA for G weights (3 instructions
 * per 16 weights instead of 6), and the scales multiply once per group, as one vector. The activations
 * stay f32 and follow the weights' order ({@link #columns}): a dot product does not depend on the order
 * of its terms. Columns past the last whole group stay GGUF blocks (Qwen2-0.5B's 896 is one group and a
 * tail of 12 blocks on AVX-512). Prefill dequantizes in storage order ({@link #dequantize}), a scale
 * vector per group instead of a broadcast per block.
 */
public final class Q8_0Repacked {
    private Q8_0Repacked() {}

    /** The layout's float vectors: 256-bit ones (8 blocks per group) ran the kernel 1.5× slower on Zen 4. */
    private static final VectorSpecies<Float> FQ = F;
    /** Blocks per group: the float lanes of a full vector (16 on AVX-512). */
    public static final int G = FQ.length();
    private static final VectorSpecies<Integer> IQ = FQ.withLanes(int.class);
    private static final VectorSpecies<Short> SQ = VectorSpecies.of(short.class, VectorShape.forBitSize(16 * G));
    /** Columns per group. */
    public static final int GROUP = G * Q8_0.BLOCK_SIZE;
    private static final int GROUP_BYTES = G * Q8_0.TYPE_SIZE;
    /** Bytes of scales at the head of a group. */
    private static final int SCALES = 2 * G;
    private static final VectorOperators.Conversion<Byte, Float> B2F = VectorOperators.B2F;
    private static final VectorOperators.Conversion<Short, Integer> S2I = VectorOperators.S2I;
    private static final VectorOperators.Binary LSHL = VectorOperators.LSHL, ASHR = VectorOperators.ASHR;
    private static final float BIAS = 0x1p112f;
    /** G weights, one per block, widened to one float vector. */
    private static final VectorSpecies<Byte> BG = VectorSpecies.of(byte.class, VectorShape.forBitSize(8 * G));

    /** Whether rows of this many columns have a whole group; narrower rows gain nothing from the layout. */
    public static boolean applies(int cols) {
        return cols >= GROUP && cols % Q8_0.BLOCK_SIZE == 0;
    }

    /**
     * Rows [rowStart, rowEnd) of GGUF Q8_0 src into the repacked layout in dst (same row size). False,
     * leaving dst partly written, where a scale is infinite or NaN, which the vector f16 conversion does
     * not reproduce; such a weight keeps the GGUF kernels.
     */
    public static boolean repack(MemorySegment src, MemorySegment dst, int rowStart, int rowEnd, int cols, long rowBytes) {
        int groups = cols / GROUP;
        byte[] in = new byte[GROUP_BYTES], out = new byte[GROUP_BYTES];
        for (int r = rowStart; r < rowEnd; r++) {
            long row = r * rowBytes;
            for (int g = 0; g < groups; g++) {
                long at = row + (long) g * GROUP_BYTES;
                // A group at a time through arrays: the transpose byte by byte on the segment ran at a
                // fraction of this speed.
                MemorySegment.copy(src, ValueLayout.JAVA_BYTE, at, in, 0, GROUP_BYTES);
                for (int j = 0; j < G; j++) {
                    int from = j * Q8_0.TYPE_SIZE;
                    if ((in[from + 1] & 0x7C) == 0x7C) return false;
                    out[2 * j] = in[from];
                    out[2 * j + 1] = in[from + 1];
                    for (int i = 0; i < Q8_0.BLOCK_SIZE; i++) out[SCALES + i * G + j] = in[from + 2 + i];
                }
                MemorySegment.copy(out, 0, dst, ValueLayout.JAVA_BYTE, at, GROUP_BYTES);
            }
            long tail = (long) groups * GROUP_BYTES;
            MemorySegment.copy(src, row + tail, dst, row + tail, rowBytes - tail);
        }
        return true;
    }

    /**
     * The column of the original row at each storage position: what {@link #dequantize} writes at k
     * belongs to column columns[k], and decode's activations are x[columns[k]] at k. Within a group,
     * position i·G + j is weight i of block j.
     */
    public static int[] columns(int cols) {
        int[] c = new int[cols];
        int grouped = cols / GROUP * GROUP;
        for (int k = 0; k < cols; k++) {
            int in = k % GROUP;
            c[k] = k < grouped ? k - in + in % G * Q8_0.BLOCK_SIZE + in / G : k;
        }
        return c;
    }

    /**
     * The row at byte rowOff (cols values) dotted with xp[xOff ..], the token in {@link #columns}'
     * order. Through {@link #dot4} over the same row (three passes read it from L1): one kernel to keep,
     * and only a range's last few rows come here.
     */
    public static float dot(MemorySegment w, long rowOff, int cols, float[] xp, int xOff) {
        float[] out = new float[1];
        dot4(w, rowOff, 0, cols, xp, xOff, out, 0, 0);
        return out[0];
    }

    /**
     * The rows at rowOff + k·stride (k = 0..3), each dotted as {@link #dot} describes, into
     * out[o + k·outStride]. Four streams from far-apart rows per thread, as the GGUF kernel found best
     * ({@link Q8_0Simd#dot4}), sharing the activation loads; two accumulators per row hide the FMA latency.
     */
    public static void dot4(MemorySegment w, long rowOff, long stride, int cols, float[] xp, int xOff, float[] out,
                            int o, int outStride) {
        int groups = cols / GROUP;
        FloatVector zero = FloatVector.zero(FQ), acc0 = zero, acc1 = zero, acc2 = zero, acc3 = zero;
        for (int g = 0; g < groups; g++) {
            long g0 = rowOff + (long) g * GROUP_BYTES, g1 = g0 + stride, g2 = g1 + stride, g3 = g2 + stride;
            int xb = xOff + g * GROUP;
            FloatVector e0 = zero, e1 = zero, e2 = zero, e3 = zero, f0 = zero, f1 = zero, f2 = zero, f3 = zero;
            // Spelled out, the weights' loads and the scales too: with helpers C2 spent this method's
            // inlining budget (NodeCountInliningCutoff) and ran the ones left out boxed, at half speed.
            for (int i = 0; i < Q8_0.BLOCK_SIZE; i += 2) {
                long q = SCALES + (long) i * G;
                FloatVector x = FloatVector.fromArray(FQ, xp, xb + i * G);
                e0 = ((FloatVector) ByteVector.fromMemorySegment(BG, w, g0 + q, LE).convertShape(B2F, FQ, 0)).fma(x, e0);
                e1 = ((FloatVector) ByteVector.fromMemorySegment(BG, w, g1 + q, LE).convertShape(B2F, FQ, 0)).fma(x, e1);
                e2 = ((FloatVector) ByteVector.fromMemorySegment(BG, w, g2 + q, LE).convertShape(B2F, FQ, 0)).fma(x, e2);
                e3 = ((FloatVector) ByteVector.fromMemorySegment(BG, w, g3 + q, LE).convertShape(B2F, FQ, 0)).fma(x, e3);
                x = FloatVector.fromArray(FQ, xp, xb + (i + 1) * G);
                f0 = ((FloatVector) ByteVector.fromMemorySegment(BG, w, g0 + q + G, LE).convertShape(B2F, FQ, 0)).fma(x, f0);
                f1 = ((FloatVector) ByteVector.fromMemorySegment(BG, w, g1 + q + G, LE).convertShape(B2F, FQ, 0)).fma(x, f1);
                f2 = ((FloatVector) ByteVector.fromMemorySegment(BG, w, g2 + q + G, LE).convertShape(B2F, FQ, 0)).fma(x, f2);
                f3 = ((FloatVector) ByteVector.fromMemorySegment(BG, w, g3 + q + G, LE).convertShape(B2F, FQ, 0)).fma(x, f3);
            }
            // The scales as scales() converts them (rebiased before the product: a subnormal f16's f32 bits
            // times a sum could round away low bits).
            IntVector h0 = (IntVector) ShortVector.fromMemorySegment(SQ, w, g0, LE).convertShape(S2I, IQ, 0);
            IntVector h1 = (IntVector) ShortVector.fromMemorySegment(SQ, w, g1, LE).convertShape(S2I, IQ, 0);
            IntVector h2 = (IntVector) ShortVector.fromMemorySegment(SQ, w, g2, LE).convertShape(S2I, IQ, 0);
            IntVector h3 = (IntVector) ShortVector.fromMemorySegment(SQ, w, g3, LE).convertShape(S2I, IQ, 0);
            acc0 = e0.add(f0).fma(h0.lanewise(LSHL, 16).lanewise(ASHR, 3).and(0x8FFFE000).reinterpretAsFloats().mul(BIAS), acc0);
            acc1 = e1.add(f1).fma(h1.lanewise(LSHL, 16).lanewise(ASHR, 3).and(0x8FFFE000).reinterpretAsFloats().mul(BIAS), acc1);
            acc2 = e2.add(f2).fma(h2.lanewise(LSHL, 16).lanewise(ASHR, 3).and(0x8FFFE000).reinterpretAsFloats().mul(BIAS), acc2);
            acc3 = e3.add(f3).fma(h3.lanewise(LSHL, 16).lanewise(ASHR, 3).and(0x8FFFE000).reinterpretAsFloats().mul(BIAS), acc3);
        }
        float s0 = acc0.reduceLanes(VectorOperators.ADD), s1 = acc1.reduceLanes(VectorOperators.ADD);
        float s2 = acc2.reduceLanes(VectorOperators.ADD), s3 = acc3.reduceLanes(VectorOperators.ADD);
        int done = groups * GROUP;
        if (done < cols) {
            long tail = (long) groups * GROUP_BYTES;
            s0 += Q8_0Simd.dot(w, rowOff + tail, xp, xOff + done, cols - done);
            s1 += Q8_0Simd.dot(w, rowOff + stride + tail, xp, xOff + done, cols - done);
            s2 += Q8_0Simd.dot(w, rowOff + 2 * stride + tail, xp, xOff + done, cols - done);
            s3 += Q8_0Simd.dot(w, rowOff + 3 * stride + tail, xp, xOff + done, cols - done);
        }
        out[o] = s0;
        out[o + outStride] = s1;
        out[o + 2 * outStride] = s2;
        out[o + 3 * outStride] = s3;
    }

    /**
     * Storage positions [k0, k0 + len) of the row at byte rowOff as f32, q·d exactly as the scalar
     * reference rounds it. Within the groups k0 and len are multiples of G (a K segment of 256 is).
     */
    public static void dequantize(MemorySegment w, long rowOff, int cols, int k0, float[] out, int outOff, int len) {
        int grouped = cols / GROUP * GROUP, end = k0 + len, k = k0, o = outOff;
        while (k < end && k < grouped) {
            int g = k / GROUP;
            long go = rowOff + (long) g * GROUP_BYTES;
            FloatVector d = scales(w, go);
            for (int stop = Math.min(end, (g + 1) * GROUP); k < stop; k += G, o += G) {
                weights(w, go + SCALES + k % GROUP).mul(d).intoArray(out, o);
            }
        }
        if (k < end) Q8_0Simd.dequantizeRow(w, rowOff + (long) (k / Q8_0.BLOCK_SIZE) * Q8_0.TYPE_SIZE, out, o, end - k);
    }

    /** The G signed weights at off, one per block, as floats. */
    private static FloatVector weights(MemorySegment w, long off) {
        return (FloatVector) ByteVector.fromMemorySegment(BG, w, off, LE).convertShape(B2F, FQ, 0);
    }

    /**
     * The group's G f16 scales as f32: widened to 32-bit lanes, the exponent and mantissa move into place
     * under the sign (an arithmetic shift by 3 copies the sign over the three exponent bits f32 has beyond
     * f16's, the mask clears them), and 2¹¹² rebiases them. Exact for normal and subnormal halves, not for
     * inf or NaN, which repack refuses. The Vector API has no lanewise f16 conversion.
     */
    private static FloatVector scales(MemorySegment w, long groupOff) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(SQ, w, groupOff, LE).convertShape(S2I, IQ, 0);
        return h.lanewise(LSHL, 16).lanewise(ASHR, 3).and(0x8FFFE000).reinterpretAsFloats().mul(BIAS);
    }
}
