package dev.windowkv.engine.testutil;

import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.engine.gguf.GGUFFile;
import dev.windowkv.engine.gguf.GGUFWriter;
import dev.windowkv.engine.gguf.Quantize;
import dev.windowkv.engine.model.Architecture;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Small random-weight decoders that llama.cpp loads: {@code llama} with GQA, {@code qwen2} with
 * QKV biases, {@code qwen3} with QK-norm and heads wider than {@code dim / heads}, and Mistral's
 * layout (a {@code llama} file with a SentencePiece vocabulary), carrying the real tokenizer of
 * llama.cpp's vocab files (every {@code tokenizer.ggml.*} key, so the vocabulary has 128,256,
 * 151,936 or 32,000 tokens and the embedding as many rows).
 *
 * <p>Weights are seeded and deterministic. Random weights give logits whose two largest values are
 * often nearly tied, and then two correct engines that round differently (llama.cpp quantizes
 * activations to Q8_0 or F16 before its dot products) pick different greedy tokens. So the model is
 * made <em>peaky</em>: the output matrix is a permutation of the token embeddings, so the residual
 * stream's own token pulls its successor {@code π(token)} ahead, while the layers (of comparable
 * size) still move every logit and decide the ranking of the rest. With {@link #EMBEDDING_STD} the
 * smallest top-1 margin along the oracle's 32-token greedy runs is 0.95 nats at dim 128 and 8.6 at
 * dim 256, against llama.cpp differences of at most 0.09 nats.
 *
 * <p>Files are written once per JVM into {@code target/random-models/}.
 */
public final class RandomModels {
    /**
     * Shapes of a model; dims must be multiples of 32 (Q8_0/Q4_0 blocks) or 256 for K-quants.
     * {@code name} names the file, {@code vocab} the llama.cpp vocabulary ({@code models/ggml-vocab-<vocab>.gguf}).
     */
    public record Spec(String name, Architecture arch, String vocab, GGMLType type, int layers, int dim, int heads,
                       int kvHeads, int headDim, int ffn, long seed) {
        public String fileName() {
            return name + "-" + type.name().toLowerCase() + "-l" + layers + "d" + dim + "-s" + seed + ".gguf";
        }
    }

    /** The weight types both engines compute with and llama.cpp accepts from our quantizer. */
    public static final GGMLType[] TYPES = {GGMLType.F32, GGMLType.F16, GGMLType.Q8_0, GGMLType.Q4_0};

    /**
     * The token embeddings' scale against the layers' outputs (which see only normalised inputs):
     * larger makes the token's own successor win by more.
     */
    static final float EMBEDDING_STD = 1.5f;

    /** Logit temperature: with it the logits have a standard deviation of about 1 over the vocabulary. */
    static final float OUTPUT_SCALE = 1.0f;

    private static final Map<Spec, Path> WRITTEN = new HashMap<>();

    private RandomModels() {}

    /** Llama with GQA: 2 layers, dim 128, 4 query heads over 2 KV heads of 32, FFN 192. */
    public static Spec llama(GGMLType type) {
        return new Spec("llama", Architecture.LLAMA, "llama-bpe", type, 2, 128, 4, 2, 32, 192, 1234);
    }

    /** K-quant types: every row length must be a multiple of their 256-value super-blocks. */
    public static final GGMLType[] K_TYPES = {GGMLType.Q4_K, GGMLType.Q6_K};

    /** Llama shaped for K-quants: 2 layers, dim 256, 8 query heads over 4 KV heads of 32, FFN 512. */
    public static Spec llamaWide(GGMLType type) {
        return new Spec("llama", Architecture.LLAMA, "llama-bpe", type, 2, 256, 8, 4, 32, 512, 99);
    }

    /** Qwen2 with QKV biases: 2 layers, dim 128, 4 query heads over 2 KV heads of 32, FFN 192. */
    public static Spec qwen2(GGMLType type) {
        return new Spec("qwen2", Architecture.QWEN2, "qwen2", type, 2, 128, 4, 2, 32, 192, 4321);
    }

    /**
     * Qwen3 with QK-norm and no biases: 2 layers, dim 128, 4 query heads over 2 KV heads of 64 (so the
     * queries are 256 wide, twice dim, as Qwen3-0.6B's 16 × 128 over 1024), FFN 192. Qwen3 uses Qwen2's
     * tokenizer.
     */
    public static Spec qwen3(GGMLType type) {
        return new Spec("qwen3", Architecture.QWEN3, "qwen2", type, 2, 128, 4, 2, 64, 192, 8765);
    }

    /**
     * Mistral-7B's layout: a {@code llama} file with a 32,000-token SentencePiece vocabulary (llama.cpp
     * ships Llama 2's, which Mistral's v0.1 vocabulary shares its format and algorithm with) and 4
     * query heads per KV head (Mistral: 32 over 8): 2 layers, dim 128, 4 query heads over 1 KV head of 32, FFN 256.
     */
    public static Spec mistral(GGMLType type) {
        return new Spec("mistral", Architecture.LLAMA, "llama-spm", type, 2, 128, 4, 1, 32, 256, 2468);
    }

    /** The model file for {@code spec}, written on first use in this JVM. */
    public static synchronized Path file(Spec spec) {
        Path p = WRITTEN.get(spec);
        if (p != null) return p;
        Path dir = Path.of("target", "random-models").toAbsolutePath();
        p = dir.resolve(spec.fileName());
        write(spec, p);
        WRITTEN.put(spec, p);
        return p;
    }

    public static void write(Spec s, Path path) {
        write(s, path, 1f);
    }

    /**
     * Writes the model with {@code attn_q} and {@code attn_k} multiplied by {@code qkScale}: with QK-norm
     * the same model (the norm undoes the scale), without it one with sharper attention.
     */
    public static void write(Spec s, Path path, float qkScale) {
        write(s, path, qkScale, 0);
    }

    /** As {@link #write(Spec, Path, float)}, with {@code {arch}.attention.sliding_window} where {@code slidingWindow > 0}. */
    public static void write(Spec s, Path path, float qkScale, int slidingWindow) {
        GGUFWriter w = new GGUFWriter();
        String a = s.arch().ggufName;
        w.putString("general.architecture", a);
        w.putString("general.name", "random " + s.fileName());
        w.putU32(a + ".context_length", 2048);
        w.putU32(a + ".embedding_length", s.dim());
        w.putU32(a + ".block_count", s.layers());
        w.putU32(a + ".feed_forward_length", s.ffn());
        w.putU32(a + ".attention.head_count", s.heads());
        w.putU32(a + ".attention.head_count_kv", s.kvHeads());
        w.putU32(a + ".attention.key_length", s.headDim());
        w.putU32(a + ".attention.value_length", s.headDim());
        w.putU32(a + ".rope.dimension_count", s.headDim());
        w.putF32(a + ".rope.freq_base", 10000f);
        w.putF32(a + ".attention.layer_norm_rms_epsilon", 1e-5f);
        if (slidingWindow > 0) w.putU32(a + ".attention.sliding_window", slidingWindow);
        int vocab = copyTokenizer(LlamaCppSource.vocab(s.vocab()), w);

        SplittableRandom rnd = new SplittableRandom(s.seed());
        int dim = s.dim();
        int qDim = s.heads() * s.headDim();
        int kvDim = s.kvHeads() * s.headDim();
        float[] embedding = gaussian(rnd, (long) vocab * dim, EMBEDDING_STD);
        matrix(w, "token_embd.weight", s.type(), embedding, dim, vocab);
        vector(w, "output_norm.weight", around1(rnd, dim));
        matrix(w, "output.weight", s.type(), permutedRows(embedding, vocab, dim, rnd, OUTPUT_SCALE / (float) Math.sqrt(dim)),
                dim, vocab);
        for (int l = 0; l < s.layers(); l++) {
            String p = "blk." + l + ".";
            vector(w, p + "attn_norm.weight", around1(rnd, dim));
            matrix(w, p + "attn_q.weight", s.type(), gaussian(rnd, (long) qDim * dim, qkScale * 2f / (float) Math.sqrt(dim)), dim, qDim);
            matrix(w, p + "attn_k.weight", s.type(), gaussian(rnd, (long) kvDim * dim, qkScale * 2f / (float) Math.sqrt(dim)), dim, kvDim);
            matrix(w, p + "attn_v.weight", s.type(), gaussian(rnd, (long) kvDim * dim, 1f / (float) Math.sqrt(dim)), dim, kvDim);
            if (s.arch().qkvBias) {
                vector(w, p + "attn_q.bias", gaussian(rnd, qDim, 0.5f));
                vector(w, p + "attn_k.bias", gaussian(rnd, kvDim, 0.5f));
                vector(w, p + "attn_v.bias", gaussian(rnd, kvDim, 0.5f));
            }
            if (s.arch().qkNorm) {
                vector(w, p + "attn_q_norm.weight", around1(rnd, s.headDim()));
                vector(w, p + "attn_k_norm.weight", around1(rnd, s.headDim()));
            }
            matrix(w, p + "attn_output.weight", s.type(), gaussian(rnd, (long) dim * qDim, 1f / (float) Math.sqrt(qDim)), qDim, dim);
            vector(w, p + "ffn_norm.weight", around1(rnd, dim));
            matrix(w, p + "ffn_gate.weight", s.type(), gaussian(rnd, (long) s.ffn() * dim, 1f / (float) Math.sqrt(dim)), dim, s.ffn());
            matrix(w, p + "ffn_up.weight", s.type(), gaussian(rnd, (long) s.ffn() * dim, 1f / (float) Math.sqrt(dim)), dim, s.ffn());
            matrix(w, p + "ffn_down.weight", s.type(), gaussian(rnd, (long) dim * s.ffn(), 1f / (float) Math.sqrt(s.ffn())), s.ffn(), dim);
        }
        w.write(path);
    }

    /** Copies every {@code tokenizer.ggml.*} key with its GGUF type; returns the vocabulary size. */
    static int copyTokenizer(Path vocabFile, GGUFWriter w) {
        try (GGUFFile f = GGUFFile.open(vocabFile)) {
            int vocab = -1;
            for (Map.Entry<String, Object> e : f.metadata().entrySet()) {
                String k = e.getKey();
                if (!k.startsWith("tokenizer.ggml.")) continue;
                switch (e.getValue()) {
                    case String v -> w.putString(k, v);
                    case Long v -> w.putU32(k, Math.toIntExact(v)); // the reader widens u32 to long
                    case Integer v -> w.putI32(k, v);
                    case Float v -> w.putF32(k, v);
                    case Boolean v -> w.putBool(k, v);
                    case String[] v -> {
                        w.putStringArray(k, v);
                        if (k.equals("tokenizer.ggml.tokens")) vocab = v.length;
                    }
                    case float[] v -> w.putF32Array(k, v);
                    case int[] v -> w.putI32Array(k, v);
                    default -> throw new IllegalStateException(vocabFile + ": cannot copy " + k + " of "
                            + e.getValue().getClass().getSimpleName());
                }
            }
            if (vocab < 0) throw new IllegalStateException(vocabFile + " has no tokenizer.ggml.tokens");
            return vocab;
        }
    }

    private static void matrix(GGUFWriter w, String name, GGMLType type, float[] values, int cols, int rows) {
        w.addTensor(name, new long[] {cols, rows}, type, () -> Quantize.quantize(type, values));
    }

    private static void vector(GGUFWriter w, String name, float[] values) {
        w.addTensor(name, new long[] {values.length}, GGMLType.F32, Quantize.quantize(GGMLType.F32, values));
    }

    static float[] gaussian(SplittableRandom rnd, long n, float std) {
        float[] a = new float[Math.toIntExact(n)];
        for (int i = 0; i < a.length; i++) a[i] = (float) (rnd.nextGaussian() * std);
        return a;
    }

    private static float[] around1(SplittableRandom rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (1 + 0.1 * rnd.nextGaussian());
        return a;
    }

    /** Row {@code π(t)} of the result is {@code scale ×} row t of {@code rows}, for a random permutation π. */
    private static float[] permutedRows(float[] rows, int n, int dim, SplittableRandom rnd, float scale) {
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        float[] out = new float[rows.length];
        for (int t = 0; t < n; t++) {
            int dst = perm[t] * dim;
            for (int d = 0; d < dim; d++) out[dst + d] = rows[t * dim + d] * scale;
        }
        return out;
    }
}
