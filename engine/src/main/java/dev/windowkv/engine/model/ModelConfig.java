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

    /**
     * Reads and range-checks the hyper-parameters, as llama.cpp's {@code load_hparams} does: counts
     * are positive, the heads divide evenly, epsilon and RoPE settings are finite and positive. Every
     * product of them is checked for overflow, so a corrupt count fails here in one line.
     */
    public static ModelConfig from(GGUFFile f) {
        Architecture arch = Architecture.of(f.getString("general.architecture"));
        String a = arch.ggufName;
        int dim = positive(f, a + ".embedding_length", f.getInt(a + ".embedding_length"));
        int nLayers = positive(f, a + ".block_count", f.getInt(a + ".block_count"));
        int nHeads = positive(f, a + ".attention.head_count", f.getInt(a + ".attention.head_count"));
        int nKvHeads = positive(f, a + ".attention.head_count_kv", f.getInt(a + ".attention.head_count_kv", nHeads));
        if (nHeads % nKvHeads != 0) {
            throw new GGUFException(f.path() + ": " + nHeads + " query heads is not a multiple of " + nKvHeads + " KV heads");
        }
        if (!f.has(a + ".attention.key_length") && dim % nHeads != 0) {
            throw new GGUFException(f.path() + ": embedding_length " + dim + " is not a multiple of head_count " + nHeads
                    + " and the file gives no attention.key_length (corrupt metadata)");
        }
        int headDim = positive(f, a + ".attention.key_length", f.getInt(a + ".attention.key_length", dim / nHeads));
        if (headDim % 2 != 0) {
            throw new GGUFException(f.path() + ": head size " + headDim + " is odd; RoPE rotates pairs of dimensions");
        }
        int valueDim = f.getInt(a + ".attention.value_length", headDim);
        if (valueDim != headDim) {
            throw new GGUFException(f.path() + ": value heads of " + valueDim + " dims differ from key heads of "
                    + headDim + "; this engine needs them equal");
        }
        if ((long) nHeads * headDim > Integer.MAX_VALUE) {
            throw new GGUFException(f.path() + ": " + nHeads + " heads of " + headDim + " dims overflow (corrupt metadata)");
        }
        int ffn = positive(f, a + ".feed_forward_length", f.getInt(a + ".feed_forward_length"));
        int vocab = f.has("tokenizer.ggml.tokens") ? f.getStringArray("tokenizer.ggml.tokens").length
                : f.tensor("token_embd.weight").rows();
        positive(f, "the vocabulary size (tokenizer.ggml.tokens)", vocab);
        int ctx = positive(f, a + ".context_length", f.getInt(a + ".context_length", 2048));
        float eps = finitePositive(f, a + ".attention.layer_norm_rms_epsilon",
                f.getFloat(a + ".attention.layer_norm_rms_epsilon", 1e-5f));
        float base = finitePositive(f, a + ".rope.freq_base", f.getFloat(a + ".rope.freq_base", 10000f));
        float linear = 1f;
        String scaling = f.getString(a + ".rope.scaling.type", "none");
        if (scaling.equals("linear")) {
            linear = finitePositive(f, a + ".rope.scaling.factor", f.getFloat(a + ".rope.scaling.factor", 1f));
        } else if (!scaling.equals("none") && !scaling.equals("llama3")) {
            throw new GGUFException(f.path() + ": RoPE scaling '" + scaling + "' is not supported (none, linear, llama3)");
        }
        int ropeDims = f.getInt(a + ".rope.dimension_count", headDim);
        if (ropeDims != headDim) {
            throw new GGUFException(f.path() + ": partial RoPE (" + ropeDims + " of " + headDim + " dims) is not supported");
        }
        int window = f.getInt(a + ".attention.sliding_window", 0);
        if (window < 0) throw new GGUFException(f.path() + ": " + a + ".attention.sliding_window is negative (" + window + ")");
        return new ModelConfig(arch, dim, nLayers, nHeads, nKvHeads, headDim, ffn, vocab, ctx, eps, base, linear, window);
    }

    private static int positive(GGUFFile f, String key, int value) {
        if (value <= 0) {
            throw new GGUFException(f.path() + ": " + key + " = " + value + " must be at least 1 (corrupt metadata)");
        }
        return value;
    }

    private static float finitePositive(GGUFFile f, String key, float value) {
        if (!(value > 0) || !Float.isFinite(value)) {
            throw new GGUFException(f.path() + ": " + key + " = " + value + " must be a finite number above 0"
                    + " (corrupt metadata)");
        }
        return value;
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
