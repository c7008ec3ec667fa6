package dev.windowkv.experiments.defaultmodel;

import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.engine.gguf.GGUFWriter;
import dev.windowkv.engine.model.Architecture;
import dev.windowkv.engine.model.ModelConfig;
import dev.windowkv.engine.gguf.Quantize;
import dev.windowkv.engine.tokenizer.BpeTrainer;

import java.nio.file.Path;
import java.util.Random;

/**
 * The project's default model: a Llama-architecture decoder whose weights are <b>constructed</b>,
 * not trained, so that it retrieves like the retrieval (induction) heads of real LLMs do.
 *
 * <p>How it works, in the residual stream of {@link #DIM} dimensions:
 * <ul>
 *   <li>The embedding writes a constant ({@code one}), a 64-d identity code {@code id(t)} and a 37-d
 *       matching code {@code m(t)} of the token.</li>
 *   <li>Layer 0 has three <i>previous-token heads</i>. Their keys are a constant vector and their
 *       queries the same vector turned back by 1, 2 or 3 positions, so RoPE alone makes head o attend
 *       to position i−o (the weights per frequency pair come from a linear program that maximises the
 *       worst-case margin over all offsets up to the context). They copy {@code m} of the token 1, 2
 *       and 3 back into slots {@code p1 p2 p3}. A fourth head attends to earlier copies of the current
 *       token (a duplicate-token head) and writes nothing.</li>
 *   <li>Layers 1–7 each have an <i>induction head</i>: its query is (m, p1, p2) of the current token,
 *       its key (p1, p2, p3) of every earlier token, so it finds the place where the last three tokens
 *       occurred before and copies {@code id} of the token that followed into the {@code out} slot.
 *       Query and key live in the head dimensions whose RoPE frequency is so low (rope base 1e37)
 *       that they barely rotate over the context: content matching, not position.</li>
 *   <li>The output matrix reads only {@code out}: the model predicts "what followed this 3-gram
 *       last time". The FFNs are zero.</li>
 * </ul>
 * So it can copy a needle's value after a prompt that repeats the words before the value; it cannot
 * count, aggregate, or follow a chain of variables.
 */
public final class InductionModel {
    public static final int LAYERS = 8;
    public static final int DIM = 288;
    public static final int HEADS = 4;
    public static final int KV_HEADS = 2;
    public static final int HEAD_DIM = 128;
    public static final int FFN = 32;
    public static final int CONTEXT = 4096;
    public static final float ROPE_BASE = 1e37f;
    public static final float NORM_EPS = 1e-5f;

    // Residual-stream slots.
    static final int ONE = 0;
    static final int ID = 1, ID_DIM = 64;
    static final int M = ID + ID_DIM, M_DIM = 37;
    static final int P1 = M + M_DIM, P2 = P1 + M_DIM, P3 = P2 + M_DIM;
    static final int OUT = P3 + M_DIM, OUT_DIM = ID_DIM;

    // Head dimensions: RoPE pairs 0..6 carry position, pairs 8..63 are nearly static (content).
    static final int POS_PAIRS = 7;
    static final int SLOT_A = 16, SLOT_B = SLOT_A + M_DIM, SLOT_C = SLOT_B + M_DIM;

    /** Positional kernel weights per RoPE pair (linear program, see class doc); worst margin 0.1737. */
    static final double[] POS_WEIGHTS = {0.36636, 0.14532, 0.12772, 0.11865, 0.12184, 0.12010, 0.0};
    /** Score scale of the previous-token heads: margin × scale ≈ 19 nats over any other position. */
    static final double S_POS = 110;
    /** Score per matched slot of the induction head (3 slots; a full match beats a 2-of-3 by ~0.5×40). */
    static final double S_IND = 40;
    /** Score scale of the duplicate-token heads (they shape attention, not the output). */
    static final double S_DUP = 8;
    /** How much each induction layer writes into {@code out}. */
    static final double BETA = 0.3;
    /** Logit scale of the output matrix. */
    static final double LAMBDA = 2.0;

    private InductionModel() {}

    /** Writes the model with the given vocabulary; every random code comes from {@code seed}. */
    public static void write(Path path, BpeTrainer.Vocab vocab, GGMLType weightType, long seed, String description) {
        int vocabSize = vocab.tokens().length;
        Random rnd = new Random(seed);
        float[][] id = codes(rnd, vocabSize, ID_DIM);
        float[][] m = codes(rnd, vocabSize, M_DIM);

        GGUFWriter w = new GGUFWriter();
        new ModelConfig(Architecture.LLAMA, DIM, LAYERS, HEADS, KV_HEADS, HEAD_DIM, FFN, vocabSize, CONTEXT, NORM_EPS,
                ROPE_BASE, 1f).writeTo(w);
        w.putString("general.name", "windowkv-induction-8L");
        w.putString("general.description", description);
        w.putU32("general.file_type", weightType == GGMLType.F32 ? 0 : weightType == GGMLType.F16 ? 1 : 7);
        w.putString("tokenizer.ggml.model", "gpt2");
        w.putString("tokenizer.ggml.pre", "llama-bpe");
        w.putStringArray("tokenizer.ggml.tokens", vocab.tokens());
        w.putI32Array("tokenizer.ggml.token_type", vocab.tokenTypes());
        w.putStringArray("tokenizer.ggml.merges", vocab.merges());
        w.putU32("tokenizer.ggml.bos_token_id", vocab.bos());
        w.putU32("tokenizer.ggml.eos_token_id", vocab.eos());
        w.putBool("tokenizer.ggml.add_bos_token", true);

        float[] embd = new float[vocabSize * DIM];
        float[] output = new float[vocabSize * DIM];
        for (int t = 0; t < vocabSize; t++) {
            embd[t * DIM + ONE] = 1f;
            for (int i = 0; i < ID_DIM; i++) embd[t * DIM + ID + i] = id[t][i];
            for (int i = 0; i < M_DIM; i++) embd[t * DIM + M + i] = m[t][i];
            for (int i = 0; i < OUT_DIM; i++) output[t * DIM + OUT + i] = (float) (LAMBDA * id[t][i]);
        }
        matrix(w, "token_embd.weight", embd, vocabSize, DIM, weightType);
        vector(w, "output_norm.weight", ones(DIM));
        matrix(w, "output.weight", output, vocabSize, DIM, weightType);
        for (int l = 0; l < LAYERS; l++) {
            Layer layer = l == 0 ? previousTokenLayer() : inductionLayer();
            String p = "blk." + l + ".";
            vector(w, p + "attn_norm.weight", ones(DIM));
            matrix(w, p + "attn_q.weight", layer.wq, HEADS * HEAD_DIM, DIM, weightType);
            matrix(w, p + "attn_k.weight", layer.wk, KV_HEADS * HEAD_DIM, DIM, weightType);
            matrix(w, p + "attn_v.weight", layer.wv, KV_HEADS * HEAD_DIM, DIM, weightType);
            matrix(w, p + "attn_output.weight", layer.wo, DIM, HEADS * HEAD_DIM, weightType);
            vector(w, p + "ffn_norm.weight", ones(DIM));
            matrix(w, p + "ffn_gate.weight", new float[FFN * DIM], FFN, DIM, weightType);
            matrix(w, p + "ffn_up.weight", new float[FFN * DIM], FFN, DIM, weightType);
            matrix(w, p + "ffn_down.weight", new float[DIM * FFN], DIM, FFN, weightType);
        }
        w.write(path);
    }

    private record Layer(float[] wq, float[] wk, float[] wv, float[] wo) {
        Layer() {
            this(new float[HEADS * HEAD_DIM * DIM], new float[KV_HEADS * HEAD_DIM * DIM],
                    new float[KV_HEADS * HEAD_DIM * DIM], new float[DIM * HEADS * HEAD_DIM]);
        }

        void q(int head, int dim, int col, double v) { wq[(head * HEAD_DIM + dim) * DIM + col] = (float) v; }
        void k(int kvHead, int dim, int col, double v) { wk[(kvHead * HEAD_DIM + dim) * DIM + col] = (float) v; }
        void v(int kvHead, int dim, int col, double v) { wv[(kvHead * HEAD_DIM + dim) * DIM + col] = (float) v; }
        void o(int row, int head, int dim, double v) { wo[row * HEADS * HEAD_DIM + head * HEAD_DIM + dim] = (float) v; }
    }

    /** RMSNorm's gain on a residual holding {@code slots} unit-norm vectors (the constant included). */
    private static double gain(int slots) {
        return Math.sqrt(DIM / (double) slots);
    }

    private static Layer previousTokenLayer() {
        Layer L = new Layer();
        double u = gain(3); // one + id + m
        double[] theta = ropeTheta();
        double sqrtD = Math.sqrt(HEAD_DIM);
        for (int kvh = 0; kvh < KV_HEADS; kvh++) {
            for (int f = 0; f < POS_PAIRS; f++) L.k(kvh, 2 * f, ONE, 1 / u);
            for (int i = 0; i < M_DIM; i++) L.v(kvh, i, M + i, 1 / u);
        }
        for (int i = 0; i < M_DIM; i++) L.k(1, SLOT_A + i, M + i, 1 / u);
        int[] slotOf = {P1, P2, P3};
        for (int h = 0; h < 3; h++) {
            int offset = h + 1;
            for (int f = 0; f < POS_PAIRS; f++) {
                double rho = S_POS * POS_WEIGHTS[f] * sqrtD;
                L.q(h, 2 * f, ONE, rho * Math.cos(-offset * theta[f]) / u);
                L.q(h, 2 * f + 1, ONE, rho * Math.sin(-offset * theta[f]) / u);
            }
            for (int i = 0; i < M_DIM; i++) L.o(slotOf[h] + i, h, i, 1);
        }
        for (int i = 0; i < M_DIM; i++) L.q(3, SLOT_A + i, M + i, S_DUP * sqrtD / u);
        return L;
    }

    private static Layer inductionLayer() {
        Layer L = new Layer();
        double u = gain(6); // one, id, m, p1, p2, p3
        double sqrtD = Math.sqrt(HEAD_DIM);
        for (int i = 0; i < M_DIM; i++) {
            L.k(0, SLOT_A + i, P1 + i, 1 / u);
            L.k(0, SLOT_B + i, P2 + i, 1 / u);
            L.k(0, SLOT_C + i, P3 + i, 1 / u);
            L.q(0, SLOT_A + i, M + i, S_IND * sqrtD / u);
            L.q(0, SLOT_B + i, P1 + i, S_IND * sqrtD / u);
            L.q(0, SLOT_C + i, P2 + i, S_IND * sqrtD / u);
            L.k(1, SLOT_A + i, M + i, 1 / u);
            L.q(2, SLOT_A + i, M + i, S_DUP * sqrtD / u);
        }
        for (int i = 0; i < ID_DIM; i++) {
            L.v(0, i, ID + i, 1 / u);
            L.o(OUT + i, 0, i, BETA);
        }
        return L;
    }

    /** The angles per position of RoPE pairs as ggml computes them (base^(-2/d) powered up in float). */
    static double[] ropeTheta() {
        double[] theta = new double[HEAD_DIM / 2];
        float scale = (float) Math.pow(ROPE_BASE, -2.0 / HEAD_DIM);
        float t = 1f;
        for (int f = 0; f < theta.length; f++) {
            theta[f] = t;
            t *= scale;
        }
        return theta;
    }

    private static float[][] codes(Random rnd, int n, int dim) {
        float[][] c = new float[n][dim];
        for (int t = 0; t < n; t++) {
            double norm = 0;
            for (int i = 0; i < dim; i++) {
                double g = rnd.nextGaussian();
                c[t][i] = (float) g;
                norm += g * g;
            }
            float inv = (float) (1 / Math.sqrt(norm));
            for (int i = 0; i < dim; i++) c[t][i] *= inv;
        }
        return c;
    }

    private static float[] ones(int n) {
        float[] v = new float[n];
        java.util.Arrays.fill(v, 1f);
        return v;
    }

    private static void vector(GGUFWriter w, String name, float[] v) {
        w.addTensor(name, new long[]{v.length}, GGMLType.F32, Quantize.quantize(GGMLType.F32, v));
    }

    private static void matrix(GGUFWriter w, String name, float[] v, int rows, int cols, GGMLType type) {
        w.addTensor(name, new long[]{cols, rows}, type, () -> Quantize.quantize(type, v));
    }
}
