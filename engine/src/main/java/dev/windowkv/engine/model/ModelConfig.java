package dev.windowkv.engine.model;

import dev.windowkv.engine.gguf.GGUFException;
import dev.windowkv.engine.gguf.GGUFFile;
import dev.windowkv.engine.gguf.GGUFWriter;

/**
 * The hyper-parameters of a decoder, read from {@code {arch}.*} GGUF metadata.
 *
 * <p>{@code headDim} is the file's {@code key_length} where it has one: Qwen3's heads are wider than
 * {@code dim / nHeads} (e.g. 0.6B: 16 heads of 128 over dim 1024), so {@link #qDim} need not be {@code dim}.
 * {@code slidingWindow} is 0 for full attention; where a file gives one (Mistral v0.1 was trained with
 * 4096) the engine, which attends over every earlier token, runs only sequences that fit in it, where
 * the two are the same computation.
 */
public record ModelConfig(Architecture arch, int dim, int nLayers, int nHeads, int nKvHeads, int headDim,
                          int ffnDim, int vocabSize, int contextLength, float normEps, float ropeBase,
                          float ropeLinearScale, int slidingWindow) {

    /** A full-attention model. */
    public ModelConfig(Architecture arch, int dim, int nLayers, int nHeads, int nKvHeads, int headDim, int ffnDim,
                       int vocabSize, int contextLength, float normEps, float ropeBase, float ropeLinearScale) {
        this(arch, dim, nLayers, nHeads, nKvHeads, headDim, ffnDim, vocabSize, contextLength, normEps, ropeBase,
                ropeLinearScale, 0);
    }

    public static ModelConfig from(GGUFFile f) {
        Architecture arch = Architecture.of(f.getString("general.architecture"));
        String a = arch.ggufName;
        int dim = f.getInt(a + ".embedding_length");
        int nLayers = f.getInt(a + ".block_count");
        int nHeads = f.getInt(a + ".attention.head_count");
        int nKvHeads = f.getInt(a + ".attention.head_count_kv", nHeads);
        int headDim = f.getInt(a + ".attention.key_length", dim / nHeads);
        int valueDim = f.getInt(a + ".attention.value_length", headDim);
        if (valueDim != headDim) {
            throw new GGUFException(f.path() + ": value heads of " + valueDim + " differ from key heads of " + headDim
                    + " (" + a + ".attention.value_length / key_length); this engine needs them equal");
        }
        int ffn = f.getInt(a + ".feed_forward_length");
        int vocab = f.has("tokenizer.ggml.tokens") ? f.getStringArray("tokenizer.ggml.tokens").length
                : f.tensor("token_embd.weight").rows();
        int ctx = f.getInt(a + ".context_length", 2048);
        float eps = f.getFloat(a + ".attention.layer_norm_rms_epsilon", 1e-5f);
        float base = f.getFloat(a + ".rope.freq_base", 10000f);
        float linear = 1f;
        String scaling = f.getString(a + ".rope.scaling.type", "none");
        if (scaling.equals("linear")) linear = f.getFloat(a + ".rope.scaling.factor", 1f);
        else if (!scaling.equals("none") && !scaling.equals("llama3")) {
            throw new GGUFException(f.path() + ": RoPE scaling '" + scaling + "' is not supported (none, linear, llama3)");
        }
        if (nHeads % nKvHeads != 0) {
            throw new GGUFException(f.path() + ": " + nHeads + " query heads is not a multiple of " + nKvHeads + " KV heads");
        }
        int ropeDims = f.getInt(a + ".rope.dimension_count", headDim);
        if (ropeDims != headDim) {
            throw new GGUFException(f.path() + ": partial RoPE (" + ropeDims + " of " + headDim + " dims) is not supported");
        }
        int window = f.getInt(a + ".attention.sliding_window", 0);
        if (window < 0) throw new GGUFException(f.path() + ": " + a + ".attention.sliding_window is negative (" + window + ")");
        return new ModelConfig(arch, dim, nLayers, nHeads, nKvHeads, headDim, ffn, vocab, ctx, eps, base, linear, window);
    }

    /** Writes these hyper-parameters as {@link #from} reads them (and llama.cpp does: counts as uint32). */
    public void writeTo(GGUFWriter w) {
        String a = arch.ggufName;
        w.putString("general.architecture", a);
        w.putU32(a + ".context_length", contextLength);
        w.putU32(a + ".embedding_length", dim);
        w.putU32(a + ".block_count", nLayers);
        w.putU32(a + ".feed_forward_length", ffnDim);
        w.putU32(a + ".attention.head_count", nHeads);
        w.putU32(a + ".attention.head_count_kv", nKvHeads);
        w.putU32(a + ".attention.key_length", headDim);
        w.putU32(a + ".attention.value_length", headDim);
        w.putU32(a + ".rope.dimension_count", headDim);
        w.putF32(a + ".rope.freq_base", ropeBase);
        w.putF32(a + ".attention.layer_norm_rms_epsilon", normEps);
        w.putU32(a + ".vocab_size", vocabSize);
        if (slidingWindow > 0) w.putU32(a + ".attention.sliding_window", slidingWindow);
        if (ropeLinearScale != 1f) {
            w.putString(a + ".rope.scaling.type", "linear");
            w.putF32(a + ".rope.scaling.factor", ropeLinearScale);
        }
    }

    public int qDim() { return nHeads * headDim; }
    public int kvDim() { return nKvHeads * headDim; }

    /** The most tokens (prompt and generated) one sequence may hold: the context, or the sliding window if shorter. */
    public int maxSequence() {
        return slidingWindow > 0 ? Math.min(contextLength, slidingWindow) : contextLength;
    }
}
