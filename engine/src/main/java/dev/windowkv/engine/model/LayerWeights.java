package dev.windowkv.engine.model;

/**
 * One transformer block's weights. Biases are null where the file has none (llama, qwen3) and
 * present for qwen2; {@code qNorm}/{@code kNorm} (head_dim values each) only for QK-norm models (qwen3).
 */
public record LayerWeights(float[] attnNorm, Weight wq, Weight wk, Weight wv, float[] bq, float[] bk, float[] bv,
                           Weight wo, float[] ffnNorm, Weight gate, Weight up, Weight down, float[] qNorm,
                           float[] kNorm) {
}
