package dev.windowkv.engine.backend.simd;

import static dev.windowkv.engine.backend.simd.Lanes.F;
import static dev.windowkv.engine.backend.simd.Lanes.I;
import static dev.windowkv.engine.backend.simd.Lanes.I16;
import static dev.windowkv.engine.backend.simd.Lanes.L;
import static dev.windowkv.engine.backend.simd.Lanes.LE;
import static dev.windowkv.engine.backend.simd.Lanes.S;

import dev.windowkv.kernels.Half;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/** F16 weights, widened to f32 in registers. */
final class F16Simd {
    private F16Simd() {}

    /**
     * L f16 values at {@code off} as floats. Shifting the 15 magnitude bits up by 13 gives an f32 that is
     * exactly 2^-112 times the value, subnormals included; only inf/NaN (exponent 31) need patching.
     */
    static FloatVector load(MemorySegment w, long off) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(S, w, off, LE).convertShape(VectorOperators.S2I, I, 0);
        IntVector abs = h.and(0x7fff);
        IntVector shifted = abs.lanewise(VectorOperators.LSHL, 13);
        IntVector mag = shifted.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts()
                .blend(shifted.or(0x7f800000), abs.compare(VectorOperators.GE, 0x7c00));
        return mag.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
    }

    static float dot(MemorySegment w, long off, float[] x, int xOff, int n) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (; i <= n - L; i += L) {
            acc = load(w, off + 2L * i).fma(FloatVector.fromArray(F, x, xOff + i), acc);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += Half.f16ToF32(w.get(I16, off + 2L * i)) * x[xOff + i];
        }
        return sum;
    }

    static void dequantizeRow(MemorySegment w, long off, float[] out, int outOff, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            load(w, off + 2L * i).intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = Half.f16ToF32(w.get(I16, off + 2L * i));
        }
    }
}
