package dev.windowkv.experiments.bench;

import dev.windowkv.engine.UserError;
import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.engine.gguf.GGUFFile;
import dev.windowkv.engine.gguf.GGUFWriter;
import dev.windowkv.engine.model.Architecture;
import dev.windowkv.engine.model.ModelConfig;
import dev.windowkv.kernels.Half;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A random-weight GGUF with Llama-3.2-1B's exact shapes, the speed benchmark's model: decode reads
 * every weight once per token, so only the shapes and the weight type set the speed, not the values.
 * It carries the tokenizer of llama.cpp's {@code ggml-vocab-llama-bpe.gguf} (Llama 3's 128,256
 * tokens) so that llama.cpp loads the very same file.
 *
 * <p>Quantized blocks are written directly: random quant bytes under one fixed scale per type, chosen
 * so the weights have a standard deviation near 0.02 (like a trained model's) and activations stay finite.
 */
public final class BenchModel {
    private BenchModel() {}

    public static final int LAYERS = 16;
    public static final int DIM = 2048;
    public static final int HEADS = 32;
    public static final int KV_HEADS = 8;
    public static final int HEAD_DIM = DIM / HEADS;
    public static final int FFN = 8192;
    public static final int VOCAB = 128256;
    public static final int CONTEXT = 131072;
    public static final float ROPE_BASE = 500000f;
    public static final float NORM_EPS = 1e-5f;
    /** Weight standard deviation the block scales aim at. */
    static final double WEIGHT_STD = 0.02;

    /** The file name a type's model is cached under. */
    public static String fileName(GGMLType type) {
        return "llama-3.2-1b-shapes-random-" + type + ".gguf";
    }

    /** Writes the model unless {@code out} already exists; returns {@code out}. */
    public static Path ensure(Path out, GGMLType type, Path vocab, long seed) {
        if (Files.isRegularFile(out)) return out;
        if (type != GGMLType.Q8_0 && type != GGMLType.Q4_0) {
            throw new UserError("the bench model is made in Q8_0 or Q4_0, not " + type);
        }
        if (!Files.isRegularFile(vocab)) {
            throw new UserError("the llama.cpp vocabulary " + vocab + " is missing; run engine/scripts/llama-cpp-source.sh "
                    + "or pass --vocab");
        }
        GGUFWriter w = new GGUFWriter();
        new ModelConfig(Architecture.LLAMA, DIM, LAYERS, HEADS, KV_HEADS, HEAD_DIM, FFN, VOCAB, CONTEXT, NORM_EPS,
                ROPE_BASE, 1f).writeTo(w);
        w.putString("general.name", "random-weight Llama-3.2-1B shapes (windowkv bench)");
        w.putU32("general.file_type", type == GGMLType.Q8_0 ? 7 : 2);
        copyTokenizer(vocab, w);

        SplittableRandom seeds = new SplittableRandom(seed);
        matrix(w, "token_embd.weight", DIM, VOCAB, type, seeds.split());
        w.addTensor("output_norm.weight", new long[]{DIM}, GGMLType.F32, ones(DIM));
        for (int l = 0; l < LAYERS; l++) {
            String p = "blk." + l + ".";
            w.addTensor(p + "attn_norm.weight", new long[]{DIM}, GGMLType.F32, ones(DIM));
            matrix(w, p + "attn_q.weight", DIM, HEADS * HEAD_DIM, type, seeds.split());
            matrix(w, p + "attn_k.weight", DIM, KV_HEADS * HEAD_DIM, type, seeds.split());
            matrix(w, p + "attn_v.weight", DIM, KV_HEADS * HEAD_DIM, type, seeds.split());
            matrix(w, p + "attn_output.weight", HEADS * HEAD_DIM, DIM, type, seeds.split());
            w.addTensor(p + "ffn_norm.weight", new long[]{DIM}, GGMLType.F32, ones(DIM));
            matrix(w, p + "ffn_gate.weight", DIM, FFN, type, seeds.split());
            matrix(w, p + "ffn_up.weight", DIM, FFN, type, seeds.split());
            matrix(w, p + "ffn_down.weight", FFN, DIM, type, seeds.split());
        }
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        w.write(tmp);
        try {
            Files.move(tmp, out, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    private static void copyTokenizer(Path vocab, GGUFWriter w) {
        try (GGUFFile v = GGUFFile.open(vocab)) {
            w.putString("tokenizer.ggml.model", v.getString("tokenizer.ggml.model"));
            w.putString("tokenizer.ggml.pre", v.getString("tokenizer.ggml.pre"));
            w.putStringArray("tokenizer.ggml.tokens", v.getStringArray("tokenizer.ggml.tokens"));
            w.putI32Array("tokenizer.ggml.token_type", v.getIntArray("tokenizer.ggml.token_type"));
            w.putStringArray("tokenizer.ggml.merges", v.getStringArray("tokenizer.ggml.merges"));
            w.putU32("tokenizer.ggml.bos_token_id", v.getInt("tokenizer.ggml.bos_token_id"));
            w.putU32("tokenizer.ggml.eos_token_id", v.getInt("tokenizer.ggml.eos_token_id"));
        }
    }

    /** A {@code rows × cols} matrix (ggml dims {cols, rows}) of random blocks, made when the writer reaches it. */
    private static void matrix(GGUFWriter w, String name, int cols, int rows, GGMLType type, SplittableRandom rng) {
        w.addTensor(name, new long[]{cols, rows}, type, () -> randomBlocks(type, (long) rows * cols, rng));
    }

    static byte[] randomBlocks(GGMLType type, long values, SplittableRandom rng) {
        byte[] b = new byte[Math.toIntExact(type.byteSize(values))];
        rng.nextBytes(b);
        // Uniform int8 has std 73.9; uniform nibbles minus 8 have std 4.61.
        double quantStd = type == GGMLType.Q8_0 ? 73.9 : 4.61;
        short scale = Half.f32ToF16((float) (WEIGHT_STD / quantStd));
        for (int o = 0; o < b.length; o += type.typeSize) {
            b[o] = (byte) scale;
            b[o + 1] = (byte) (scale >> 8);
        }
        return b;
    }

    private static byte[] ones(int n) {
        byte[] b = new byte[4 * n];
        int one = Float.floatToRawIntBits(1f);
        for (int i = 0; i < n; i++) {
            b[4 * i] = (byte) one;
            b[4 * i + 1] = (byte) (one >> 8);
            b[4 * i + 2] = (byte) (one >> 16);
            b[4 * i + 3] = (byte) (one >> 24);
        }
        return b;
    }
}
