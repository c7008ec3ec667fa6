package dev.windowkv.engine.model;

import dev.windowkv.engine.backend.UnsupportedTypeException;
import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.engine.gguf.GGUFException;
import dev.windowkv.engine.gguf.GGUFFile;
import dev.windowkv.engine.gguf.GGUFTensorInfo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The tensors an architecture needs, each with the shape its hyper-parameters imply and the types
 * it may have, checked against a file before any weight is used, as llama.cpp's
 * {@code create_tensor} checks them: a missing, misshapen, mistyped or unexpected tensor is refused
 * in one line instead of computing garbage or running past an array.
 *
 * <p>A new architecture adds its tensors in {@link #globals} and {@link #layer}; nothing else here
 * needs to change.
 */
public final class ExpectedTensors {
    /** What a tensor is used as, which decides the types it may have. */
    public enum Kind {
        /** A weight matrix the backends multiply by: any type they compute with. */
        MATRIX,
        /** A norm gain or bias, read onto the heap as F32 or F16. */
        VECTOR,
        /** Read as raw little-endian floats. */
        F32_VECTOR;

        boolean accepts(GGMLType t) {
            return switch (this) {
                case MATRIX -> t.supported();
                case VECTOR -> t == GGMLType.F32 || t == GGMLType.F16;
                case F32_VECTOR -> t == GGMLType.F32;
            };
        }
    }

    /** One tensor: its GGUF name, its ggml dims (row length first), its kind, and whether it may be absent. */
    public record Tensor(String name, long[] dims, Kind kind, boolean required) {}

    private ExpectedTensors() {}

    /** Every tensor a {@code c.arch()} model may have, with the shape and kind each must have. */
    public static List<Tensor> of(ModelConfig c) {
        List<Tensor> all = new ArrayList<>(globals(c));
        for (int l = 0; l < c.nLayers(); l++) all.addAll(layer(c, l));
        return all;
    }

    /** The tensors outside the blocks: embeddings, final norm, output (absent when tied), RoPE factors. */
    static List<Tensor> globals(ModelConfig c) {
        return List.of(
                matrix("token_embd.weight", c.dim(), c.vocabSize()),
                vector("output_norm.weight", c.dim()),
                new Tensor("output.weight", new long[]{c.dim(), c.vocabSize()}, Kind.MATRIX, false),
                // Llama 3's per-pair RoPE frequency factors
                new Tensor("rope_freqs.weight", new long[]{c.headDim() / 2}, Kind.F32_VECTOR, false));
    }

    /** Block {@code l}'s tensors. */
    static List<Tensor> layer(ModelConfig c, int l) {
        String p = "blk." + l + ".";
        List<Tensor> t = new ArrayList<>(List.of(
                vector(p + "attn_norm.weight", c.dim()),
                matrix(p + "attn_q.weight", c.dim(), c.qDim()),
                matrix(p + "attn_k.weight", c.dim(), c.kvDim()),
                matrix(p + "attn_v.weight", c.dim(), c.kvDim()),
                matrix(p + "attn_output.weight", c.qDim(), c.dim()),
                vector(p + "ffn_norm.weight", c.dim()),
                matrix(p + "ffn_gate.weight", c.dim(), c.ffnDim()),
                matrix(p + "ffn_up.weight", c.dim(), c.ffnDim()),
                matrix(p + "ffn_down.weight", c.ffnDim(), c.dim())));
        // QKV biases: qwen2 has them; llama and qwen3 files may (llama.cpp uses them where present).
        boolean biasRequired = c.arch() == Architecture.QWEN2;
        t.add(new Tensor(p + "attn_q.bias", new long[]{c.qDim()}, Kind.VECTOR, biasRequired));
        t.add(new Tensor(p + "attn_k.bias", new long[]{c.kvDim()}, Kind.VECTOR, biasRequired));
        t.add(new Tensor(p + "attn_v.bias", new long[]{c.kvDim()}, Kind.VECTOR, biasRequired));
        if (c.arch().qkNorm) {
            t.add(vector(p + "attn_q_norm.weight", c.headDim()));
            t.add(vector(p + "attn_k_norm.weight", c.headDim()));
        }
        return t;
    }

    private static Tensor matrix(String name, int cols, int rows) {
        return new Tensor(name, new long[]{cols, rows}, Kind.MATRIX, true);
    }

    private static Tensor vector(String name, int n) {
        return new Tensor(name, new long[]{n}, Kind.VECTOR, true);
    }

    /**
     * Checks that {@code f} has every required tensor, each with the expected shape and a type its
     * kind accepts, and no tensor the architecture does not use.
     */
    public static void check(GGUFFile f, ModelConfig c) {
        // every block has at least one tensor, so a corrupt block count is refused before the table is built
        if (c.nLayers() > f.tensors().size()) {
            throw new GGUFException(f.path() + ": block_count " + c.nLayers() + " but the file has only "
                    + f.tensors().size() + " tensors (corrupt metadata)");
        }
        Set<String> known = new HashSet<>();
        for (Tensor e : of(c)) {
            known.add(e.name());
            GGUFTensorInfo t = f.tensors().get(e.name());
            if (t == null) {
                if (e.required()) f.tensor(e.name()); // throws the usual "has no tensor" line
                continue;
            }
            if (!Arrays.equals(padded(t.dims()), padded(e.dims()))) {
                throw new GGUFException(f.path() + ": tensor '" + e.name() + "' has shape " + Arrays.toString(t.dims())
                        + ", but the model's metadata implies " + Arrays.toString(e.dims())
                        + " (corrupt file, or metadata that does not match the weights)");
            }
            if (!e.kind().accepts(t.type())) {
                if (e.kind() == Kind.MATRIX) throw new UnsupportedTypeException(t.type(), f.path() + " tensor '" + e.name() + "'");
                throw new GGUFException(f.path() + ": tensor '" + e.name() + "' has type " + t.type() + ", but it must be "
                        + (e.kind() == Kind.VECTOR ? "F32 or F16" : "F32"));
            }
        }
        for (String name : f.tensors().keySet()) {
            if (!known.contains(name)) {
                throw new GGUFException(f.path() + ": unexpected tensor '" + name + "' for a " + c.arch().ggufName + " model with "
                        + c.nLayers() + " blocks (corrupt file, or an architecture this engine does not run)");
            }
        }
    }

    /** ggml's four dimensions, trailing ones filled with 1: [n] and [n, 1] are the same tensor. */
    private static long[] padded(long[] dims) {
        long[] p = {1, 1, 1, 1};
        System.arraycopy(dims, 0, p, 0, Math.min(dims.length, 4));
        return p;
    }
}
