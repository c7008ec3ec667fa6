package dev.windowkv.engine.backend.simd;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
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
        return (FloatVector) q.convertShape(jdk.incubator.vector.VectorOperators.B2F, F, p);
    }

    static int u8(MemorySegment w, long off) {
        return w.get(ValueLayout.JAVA_BYTE, off) & 0xff;
    }
}
