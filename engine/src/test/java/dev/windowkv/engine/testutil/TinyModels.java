package dev.windowkv.engine.testutil;

import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.engine.gguf.GGUFWriter;
import dev.windowkv.engine.gguf.Quantize;
import dev.windowkv.engine.model.Architecture;
import dev.windowkv.engine.model.ModelConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * A random-weight model of a few hundred kilobytes with its own small SentencePiece vocabulary
 * (unknown, BOS, EOS, the 256 byte-fallback tokens and the lowercase letters with and without a
 * leading space), so it needs no download and any text encodes. For tests of loading and of
 * malformed files; its logits mean nothing.
 */
public final class TinyModels {
    /** 2 layers, dim 64, 4 query heads over 2 KV heads of 16, FFN 96: every row a multiple of 32 for Q8_0/Q4_0. */
    public static final ModelConfig LLAMA = new ModelConfig(Architecture.LLAMA, 64, 2, 4, 2, 16, 96, vocabulary().length,
            512, 1e-5f, 10000f, 1f);

    private TinyModels() {}

    /** The vocabulary: ids 0-2 are unk, BOS and EOS, then 256 byte tokens, then letters. */
    public static String[] vocabulary() {
        List<String> t = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        for (int b = 0; b < 256; b++) t.add(String.format("<0x%02X>", b));
        for (char c = 'a'; c <= 'z'; c++) t.add(String.valueOf(c));
        for (char c = 'a'; c <= 'z'; c++) t.add("▁" + c);
        t.add("▁");
        return t.toArray(String[]::new);
    }

    /** A llama-architecture model of {@link #LLAMA}'s shape with {@code type} weights, written to {@code path}. */
    public static void llama(Path path, GGMLType type, long seed) {
        llama(path, type, seed, w -> {});
    }

    /**
     * Same, with {@code edit} applied to the writer after everything else, so a test can override a
     * metadata value or add a tensor.
     */
    public static void llama(Path path, GGMLType type, long seed, Consumer<GGUFWriter> edit) {
        write(path, LLAMA, type, seed, false, edit);
    }

    /** A model of shape {@code c}; {@code tied} leaves out {@code output.weight}. */
    public static void write(Path path, ModelConfig c, GGMLType type, long seed, boolean tied, Consumer<GGUFWriter> edit) {
        GGUFWriter w = new GGUFWriter();
        c.writeTo(w);
        w.putString("general.name", "tiny random " + c.arch().ggufName);
        String[] tokens = vocabulary();
        float[] scores = new float[tokens.length];
        int[] types = new int[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            types[i] = i == 0 ? 2 : i < 3 ? 3 : i < 259 ? 6 : 1;
            scores[i] = i < 259 ? 0 : -(i - 259) * 0.01f;
        }
        w.putString("tokenizer.ggml.model", "llama");
        w.putStringArray("tokenizer.ggml.tokens", tokens);
        w.putF32Array("tokenizer.ggml.scores", scores);
        w.putI32Array("tokenizer.ggml.token_type", types);
        w.putU32("tokenizer.ggml.bos_token_id", 1);
        w.putU32("tokenizer.ggml.eos_token_id", 2);
        SplittableRandom rnd = new SplittableRandom(seed);
        int dim = c.dim();
        matrix(w, "token_embd.weight", type, rnd, dim, c.vocabSize(), 1f);
        vector(w, "output_norm.weight", rnd, dim);
        if (!tied) matrix(w, "output.weight", type, rnd, dim, c.vocabSize(), 1f / (float) Math.sqrt(dim));
        for (int l = 0; l < c.nLayers(); l++) {
            String p = "blk." + l + ".";
            float s = 1f / (float) Math.sqrt(dim);
            vector(w, p + "attn_norm.weight", rnd, dim);
            matrix(w, p + "attn_q.weight", type, rnd, dim, c.qDim(), s);
            matrix(w, p + "attn_k.weight", type, rnd, dim, c.kvDim(), s);
            matrix(w, p + "attn_v.weight", type, rnd, dim, c.kvDim(), s);
            if (c.arch().qkvBias) {
                vector(w, p + "attn_q.bias", rnd, c.qDim());
                vector(w, p + "attn_k.bias", rnd, c.kvDim());
                vector(w, p + "attn_v.bias", rnd, c.kvDim());
            }
            matrix(w, p + "attn_output.weight", type, rnd, c.qDim(), dim, 1f / (float) Math.sqrt(c.qDim()));
            vector(w, p + "ffn_norm.weight", rnd, dim);
            matrix(w, p + "ffn_gate.weight", type, rnd, dim, c.ffnDim(), s);
            matrix(w, p + "ffn_up.weight", type, rnd, dim, c.ffnDim(), s);
            matrix(w, p + "ffn_down.weight", type, rnd, c.ffnDim(), dim, 1f / (float) Math.sqrt(c.ffnDim()));
        }
        edit.accept(w);
        w.write(path);
    }

    private static void matrix(GGUFWriter w, String name, GGMLType type, SplittableRandom rnd, int cols, int rows, float std) {
        float[] v = RandomModels.gaussian(rnd, (long) cols * rows, std);
        w.addTensor(name, new long[]{cols, rows}, type, Quantize.quantize(type, v));
    }

    private static void vector(GGUFWriter w, String name, SplittableRandom rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (1 + 0.1 * rnd.nextGaussian());
        w.addTensor(name, new long[]{n}, GGMLType.F32, Quantize.quantize(GGMLType.F32, v));
    }
}
