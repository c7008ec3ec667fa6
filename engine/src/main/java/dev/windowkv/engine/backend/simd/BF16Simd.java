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

/** BF16 weights: each value is the top half of an f32, so widening is a shift. */
final class BF16Simd {
    private BF16Simd() {}

    static FloatVector load(MemorySegment w, long off) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(S, w, off, LE).convertShape(VectorOperators.S2I, I, 0);
        return h.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    static float dot(MemorySegment w, long off, float[] x, int xOff, int n) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (; i <= n - L; i += L) {
            acc = load(w, off + 2L * i).fma(FloatVector.fromArray(F, x, xOff + i), acc);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += Half.bf16ToF32(w.get(I16, off + 2L * i)) * x[xOff + i];
        }
        return sum;
    }

    static void dequantizeRow(MemorySegment w, long off, float[] out, int outOff, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            load(w, off + 2L * i).intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = Half.bf16ToF32(w.get(I16, off + 2L * i));
        }
    }
}
