package dev.windowkv.engine.model;

import dev.windowkv.engine.UserError;
import dev.windowkv.engine.gguf.GGUFException;

/** The GGUF architectures this engine runs. They differ only in RoPE layout and QKV bias. */
public enum Architecture {
    LLAMA("llama", false, false),
    QWEN2("qwen2", true, true);

    public final String ggufName;
    /** NEOX rotates halves of the head; NORM rotates adjacent pairs (spec of ggml's rope modes). */
    public final boolean ropeNeox;
    public final boolean qkvBias;

    Architecture(String ggufName, boolean ropeNeox, boolean qkvBias) {
        this.ggufName = ggufName;
        this.ropeNeox = ropeNeox;
        this.qkvBias = qkvBias;
    }

    public static Architecture of(String name) {
        for (Architecture a : values()) if (a.ggufName.equals(name)) return a;
        throw new UserError("unsupported model architecture '" + GGUFException.printable(name) + "': this engine runs llama (Llama 2/3, "
                + "TinyLlama, SmolLM) and qwen2 GGUF models");
    }
}
