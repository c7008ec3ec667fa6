package dev.windowkv.engine.backend;

import dev.windowkv.engine.UserError;
import dev.windowkv.engine.gguf.GGMLType;

/** A weight type the engine reads but cannot compute with. */
public class UnsupportedTypeException extends UserError {
    public UnsupportedTypeException(GGMLType t) {
        this(t, null);
    }

    /** @param where the file and tensor, for the message */
    public UnsupportedTypeException(GGMLType t, String where) {
        super((where == null ? "" : where + ": ") + "tensor type " + t + " is not supported; re-quantize the model to one of "
                + "F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q5_K, Q6_K (llama-quantize)");
    }
}
