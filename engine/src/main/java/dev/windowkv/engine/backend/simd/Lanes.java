package dev.windowkv.engine.backend.simd;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector shapes every SIMD kernel shares. Quantized blocks are read 16 bytes at a time
 * ({@link #B16}); each 16-byte chunk widens into {@link #PARTS} float vectors of {@link #F}.
 * On AVX-512 that is exactly one 16-lane float vector per chunk.
 */
final class Lanes {
    private Lanes() {}

    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED.length() <= 16
            ? FloatVector.SPECIES_PREFERRED : FloatVector.SPECIES_512;
    static final int L = F.length();
    static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    static final int PARTS = 16 / L;
    /** L shorts (f16/bf16 weights), widened to L ints of F's shape. */
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(L * 16));
    static final VectorSpecies<Integer> I = F.withLanes(int.class);

    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);

    static ByteVector bytes(MemorySegment w, long off) {
        return ByteVector.fromMemorySegment(B16, w, off, LE);
    }

    /** Part p of a 16-byte chunk of signed bytes, as floats. */
    static FloatVector floats(ByteVector q, int p) {
        return (FloatVector) q.convertShape(VectorOperators.B2F, F, p);
    }

    /*
     * x86 has no byte shifts, and the Vector API emulates them slowly; shifting 16-bit lanes and
     * masking afterwards gives the same bytes with one instruction.
     */

    /** q >>> s in every byte; the top s bits of each byte are garbage, so the caller masks them off. */
    static ByteVector shiftRight(ByteVector q, int s) {
        return q.reinterpretAsShorts().lanewise(VectorOperators.LSHR, s).reinterpretAsBytes();
    }

    /** q << s in every byte; exact when every byte is below 2^(8-s). */
    static ByteVector shiftLeft(ByteVector q, int s) {
        return q.reinterpretAsShorts().lanewise(VectorOperators.LSHL, s).reinterpretAsBytes();
    }

    static ByteVector highNibbles(ByteVector q) {
        return shiftRight(q, 4).and((byte) 0xF);
    }

    /** acc + Σ (q·d − m)·x over the 16 values of chunk q, x from xi. (fma: one rounding fewer than the reference.) */
    static FloatVector dotRun(FloatVector acc, ByteVector q, FloatVector d, FloatVector negM, float[] x, int xi) {
        for (int p = 0; p < PARTS; p++) {
            acc = floats(q, p).fma(d, negM).fma(FloatVector.fromArray(F, x, xi + p * L), acc);
        }
        return acc;
    }

    /** out[yi..yi+16) = q·d − m, rounded exactly as the scalar reference (mul, then sub). */
    static void storeRun(ByteVector q, float d, float m, float[] out, int yi) {
        for (int p = 0; p < PARTS; p++) {
            floats(q, p).mul(d).sub(m).intoArray(out, yi + p * L);
        }
    }

    static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);

    /**
     * An f16 scale. Float.float16ToFloat is a single instruction here (the engine is not compiled by
     * TornadoVM) and equals Half.f16ToF32 on every non-NaN pattern; per-block scalar work is what
     * limits these kernels, so it matters.
     */
    static float f16(MemorySegment w, long off) {
        return Float.float16ToFloat(w.get(I16, off));
    }
}
