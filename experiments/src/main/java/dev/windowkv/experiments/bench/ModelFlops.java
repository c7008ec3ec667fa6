package dev.windowkv.experiments.bench;

import dev.windowkv.engine.model.ModelConfig;

/**
 * Floating-point operations per prompt token of a prefill, from the model's shape: two per weight
 * of every layer matrix (q, k, v, o, gate, up, down), and causal attention, whose scores and
 * weighted sum take {@code 2 · headDim} each per query head and visible key, that is
 * {@code 4 · nHeads · headDim · (n + 1) / 2} per token and layer on average over an {@code n}-token
 * prompt. The logits of the last token are left out (one token in {@code n}), as are norms,
 * RoPE and the softmax's exponentials, which are not FMAs.
 */
public final class ModelFlops {
    private ModelFlops() {}

    /** FLOPs per token of an {@code n}-token prefill. */
    public static double perPrefillToken(ModelConfig c, int n) {
        double matrices = (double) c.dim() * (c.qDim() + 2L * c.kvDim()) + (double) c.qDim() * c.dim()
                + 3.0 * c.dim() * c.ffnDim();
        double attention = 4.0 * c.nHeads() * c.headDim() * (n + 1) / 2.0;
        return c.nLayers() * (2 * matrices + attention);
    }
}
