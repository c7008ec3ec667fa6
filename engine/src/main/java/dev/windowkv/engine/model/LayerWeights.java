package dev.windowkv.engine.model;

/** One transformer block's weights; biases are null for llama and present for qwen2. */
public record LayerWeights(float[] attnNorm, Weight wq, Weight wk, Weight wv, float[] bq, float[] bk, float[] bv,
                           Weight wo, float[] ffnNorm, Weight gate, Weight up, Weight down) {
}
