package dev.windowkv.engine.model;

import dev.windowkv.engine.gguf.GGUFFile;
import dev.windowkv.engine.gguf.GGUFTensorInfo;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Per-pair RoPE angles, computed as ggml does (theta_scale = base^(-2/d), powered up in float),
 * divided by Llama-3's per-pair frequency factors ({@code rope_freqs.weight}) when the file has
 * them, and by a linear scaling factor.
 */
public final class RopeFrequencies {
    private RopeFrequencies() {}

    public static float[] of(ModelConfig c, GGUFFile f) {
        int pairs = c.headDim() / 2;
        float[] inv = new float[pairs];
        float thetaScale = (float) Math.pow(c.ropeBase(), -2.0 / c.headDim());
        float theta = 1f;
        float[] factors = null;
        GGUFTensorInfo ff = f.tensors().get("rope_freqs.weight");
        if (ff != null && ff.data() != null) {
            factors = ff.data().toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
        }
        for (int i = 0; i < pairs; i++) {
            float v = theta / c.ropeLinearScale();
            if (factors != null) v /= factors[i];
            inv[i] = v;
            theta *= thetaScale;
        }
        return inv;
    }
}
