package dev.windowkv.engine.backend.simd;

import static dev.windowkv.engine.backend.simd.Lanes.F;
import static dev.windowkv.engine.backend.simd.Lanes.L;

import dev.windowkv.kernels.SwiGlu;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * {@link SwiGlu#row} with the Vector API: silu(g)·u = g / (1 + e^−g) · u. The scalar exp cost 80 µs
 * per decoded token and layer at Llama-1B's 8,192 (1.3 ms a token); the vector EXP is within an ulp.
 */
public final class SimdSwiGlu {
    private SimdSwiGlu() {}

    public static void row(float[] gate, float[] up, int off, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector g = FloatVector.fromArray(F, gate, off + i);
            FloatVector e = g.neg().lanewise(VectorOperators.EXP);
            g.div(e.add(1f)).mul(FloatVector.fromArray(F, up, off + i)).intoArray(gate, off + i);
        }
        if (i < n) SwiGlu.row(gate, up, off + i, n - i);
    }
}
