package dev.windowkv.engine.model;

import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.engine.gguf.GGUFFile;
import dev.windowkv.engine.gguf.GGUFTensorInfo;
import dev.windowkv.engine.tokenizer.Tokenizer;
import dev.windowkv.engine.tokenizer.Tokenizers;
import dev.windowkv.kernels.quant.F16;
import dev.windowkv.kernels.quant.F32;

import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/**
 * A loaded GGUF decoder: config, tokenizer and weights. Matrices stay memory-mapped; only the small
 * norm vectors and biases are read onto the heap.
 */
public final class Model implements AutoCloseable {
    private final GGUFFile file;
    private final ModelConfig config;
    private final Tokenizer tokenizer;
    private final Weight tokenEmbedding;
    private final Weight output;
    private final float[] outputNorm;
    private final LayerWeights[] layers;
    private final float[] ropeInvFreq;

    private Model(GGUFFile file) {
        this.file = file;
        this.config = ModelConfig.from(file);
        ExpectedTensors.check(file, config);
        this.tokenizer = Tokenizers.load(file);
        this.tokenEmbedding = matrix("token_embd.weight");
        this.output = file.tensors().containsKey("output.weight") ? matrix("output.weight") : tokenEmbedding;
        this.outputNorm = vector("output_norm.weight", config.dim());
        this.layers = new LayerWeights[config.nLayers()];
        boolean qkNorm = config.arch().qkNorm;
        for (int l = 0; l < layers.length; l++) {
            String p = "blk." + l + ".";
            layers[l] = new LayerWeights(
                    vector(p + "attn_norm.weight", config.dim()),
                    matrix(p + "attn_q.weight"),
                    matrix(p + "attn_k.weight"),
                    matrix(p + "attn_v.weight"),
                    bias(p + "attn_q.bias", config.qDim()),
                    bias(p + "attn_k.bias", config.kvDim()),
                    bias(p + "attn_v.bias", config.kvDim()),
                    matrix(p + "attn_output.weight"),
                    vector(p + "ffn_norm.weight", config.dim()),
                    matrix(p + "ffn_gate.weight"),
                    matrix(p + "ffn_up.weight"),
                    matrix(p + "ffn_down.weight"),
                    qkNorm ? vector(p + "attn_q_norm.weight", config.headDim()) : null,
                    qkNorm ? vector(p + "attn_k_norm.weight", config.headDim()) : null);
        }
        this.ropeInvFreq = RopeFrequencies.of(config, file);
    }

    public static Model load(Path path) {
        GGUFFile f = GGUFFile.open(path);
        try {
            return new Model(f);
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
    }

    /** Shapes and types were checked by {@link ExpectedTensors#check}. */
    private Weight matrix(String name) {
        return Weight.of(file.tensor(name));
    }

    /** A QKV bias: required where the architecture has them (qwen2), else used where present, as llama.cpp does. */
    private float[] bias(String name, int n) {
        if (!config.arch().qkvBias && !file.tensors().containsKey(name)) return null;
        return vector(name, n);
    }

    private float[] vector(String name, int n) {
        GGUFTensorInfo t = file.tensor(name);
        byte[] raw = t.data().toArray(ValueLayout.JAVA_BYTE);
        float[] out = new float[n];
        if (t.type() == GGMLType.F32) F32.dequantizeRow(raw, 0, out, 0, n);
        else F16.dequantizeRow(raw, 0, out, 0, n);
        return out;
    }

    public GGUFFile file() { return file; }
    public ModelConfig config() { return config; }
    public Tokenizer tokenizer() { return tokenizer; }
    public Weight tokenEmbedding() { return tokenEmbedding; }
    public Weight output() { return output; }
    public float[] outputNorm() { return outputNorm; }
    public LayerWeights layer(int l) { return layers[l]; }
    public float[] ropeInvFreq() { return ropeInvFreq; }
    public boolean tiedEmbeddings() { return output == tokenEmbedding; }

    @Override
    public void close() {
        file.close();
    }
}
