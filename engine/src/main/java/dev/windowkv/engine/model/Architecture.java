package dev.windowkv.engine.model;

import dev.windowkv.engine.UserError;
import dev.windowkv.engine.gguf.GGUFException;

/**
 * The GGUF architectures this engine runs. They differ only in RoPE layout, QKV bias and QK-norm;
 * Mistral's GGUFs are {@code llama}.
 */
public enum Architecture {
    LLAMA("llama", false, false, false),
    QWEN2("qwen2", true, true, false),
    QWEN3("qwen3", true, false, true);

    public final String ggufName;
    /** NEOX rotates halves of the head; NORM rotates adjacent pairs (spec of ggml's rope modes). */
    public final boolean ropeNeox;
    /** The file must carry {@code attn_q/k/v.bias}; other architectures use them only where present, as llama.cpp does. */
    public final boolean qkvBias;
    /**
     * Per-head RMSNorm of queries and keys before RoPE ({@code attn_q_norm}, {@code attn_k_norm}, one
     * weight of head_dim values shared by all heads): Qwen3 bounds the attention logits this way.
     */
    public final boolean qkNorm;

    Architecture(String ggufName, boolean ropeNeox, boolean qkvBias, boolean qkNorm) {
        this.ggufName = ggufName;
        this.ropeNeox = ropeNeox;
        this.qkvBias = qkvBias;
        this.qkNorm = qkNorm;
    }

    public static Architecture of(String name) {
        for (Architecture a : values()) if (a.ggufName.equals(name)) return a;
        throw new UserError("unsupported model architecture '" + GGUFException.printable(name) + "': this engine runs llama (Llama 2/3, "
                + "Mistral, TinyLlama, SmolLM), qwen2 and qwen3 GGUF models");
    }
}
