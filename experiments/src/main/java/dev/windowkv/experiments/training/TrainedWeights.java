package dev.windowkv.experiments.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.windowkv.engine.UserError;
import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.engine.gguf.GGUFFile;
import dev.windowkv.engine.gguf.GGUFWriter;
import dev.windowkv.engine.gguf.Quantize;
import dev.windowkv.engine.model.Architecture;
import dev.windowkv.engine.model.ModelConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The trained model's weights as {@code experiments/training/train.py} writes them
 * ({@code weights.json}: the hyper-parameters and each tensor's GGUF name, shape and byte offset;
 * {@code weights.bin}: little-endian float32), and their export to a GGUF file that the engine and
 * llama.cpp read: architecture {@code llama}, and the tokenizer keys copied from the model whose
 * tokenizer made the training data, so the two encode every prompt alike.
 *
 * @param config  the decoder's hyper-parameters
 * @param tensors float32 values by GGUF tensor name, rows after rows, in the file's order
 * @param shapes  each tensor's (rows, cols), or (n) for a vector
 * @param meta    the training run's step, token count, seed and command, for the GGUF description
 */
public record TrainedWeights(ModelConfig config, Map<String, float[]> tensors, Map<String, int[]> shapes,
                             Map<String, String> meta) {
    /** The tokenizer keys a GGUF needs to encode as the source model does. */
    static final List<String> TOKENIZER_KEYS = List.of("tokenizer.ggml.model", "tokenizer.ggml.pre",
            "tokenizer.ggml.tokens", "tokenizer.ggml.token_type", "tokenizer.ggml.merges",
            "tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id", "tokenizer.ggml.add_bos_token");

    /** Reads {@code weights.json} and {@code weights.bin} from a training run's folder. */
    public static TrainedWeights read(Path folder) {
        Path json = folder.resolve("weights.json");
        Path bin = folder.resolve("weights.bin");
        if (!Files.isRegularFile(json) || !Files.isRegularFile(bin)) {
            throw new UserError(folder + " has no weights.json and weights.bin; point --in at the --out folder of train.py");
        }
        try {
            JsonNode root = new ObjectMapper().readTree(json.toFile());
            JsonNode c = root.path("config");
            ModelConfig config = new ModelConfig(Architecture.LLAMA, c.path("dim").asInt(), c.path("layers").asInt(),
                    c.path("heads").asInt(), c.path("kv_heads").asInt(), c.path("head_dim").asInt(), c.path("ffn").asInt(),
                    c.path("vocab").asInt(), c.path("context").asInt(), (float) c.path("norm_eps").asDouble(),
                    (float) c.path("rope_base").asDouble(), 1f);
            ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(bin)).order(ByteOrder.LITTLE_ENDIAN);
            Map<String, float[]> tensors = new LinkedHashMap<>();
            Map<String, int[]> shapes = new LinkedHashMap<>();
            for (JsonNode t : root.path("tensors")) {
                int[] shape = new int[t.path("shape").size()];
                long n = 1;
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = t.path("shape").get(i).asInt();
                    n *= shape[i];
                }
                long offset = t.path("offset").asLong();
                if (offset < 0 || offset + 4 * n > data.capacity()) {
                    throw new UserError(bin + " is shorter than weights.json says (tensor " + t.path("name").asText()
                            + "); the run may have been cut while writing it, export again after its next checkpoint");
                }
                float[] v = new float[(int) n];
                data.slice((int) offset, (int) (4 * n)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
                tensors.put(t.path("name").asText(), v);
                shapes.put(t.path("name").asText(), shape);
            }
            Map<String, String> meta = new LinkedHashMap<>();
            for (String k : List.of("step", "tokens", "seed", "command")) meta.put(k, root.path(k).asText());
            TrainedWeights w = new TrainedWeights(config, tensors, shapes, meta);
            w.checkShapes();
            return w;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + folder, e);
        }
    }

    /** Every tensor a llama GGUF needs, of the shape the hyper-parameters give. */
    void checkShapes() {
        ModelConfig c = config;
        Map<String, int[]> want = new LinkedHashMap<>();
        want.put("token_embd.weight", new int[]{c.vocabSize(), c.dim()});
        for (int l = 0; l < c.nLayers(); l++) {
            String p = "blk." + l + ".";
            want.put(p + "attn_norm.weight", new int[]{c.dim()});
            want.put(p + "attn_q.weight", new int[]{c.qDim(), c.dim()});
            want.put(p + "attn_k.weight", new int[]{c.kvDim(), c.dim()});
            want.put(p + "attn_v.weight", new int[]{c.kvDim(), c.dim()});
            want.put(p + "attn_output.weight", new int[]{c.dim(), c.qDim()});
            want.put(p + "ffn_norm.weight", new int[]{c.dim()});
            want.put(p + "ffn_gate.weight", new int[]{c.ffnDim(), c.dim()});
            want.put(p + "ffn_up.weight", new int[]{c.ffnDim(), c.dim()});
            want.put(p + "ffn_down.weight", new int[]{c.dim(), c.ffnDim()});
        }
        want.put("output_norm.weight", new int[]{c.dim()});
        want.put("output.weight", new int[]{c.vocabSize(), c.dim()});
        for (var e : want.entrySet()) {
            int[] got = shapes.get(e.getKey());
            if (got == null || !java.util.Arrays.equals(got, e.getValue())) {
                throw new UserError("weights.json: tensor " + e.getKey() + " has shape "
                        + (got == null ? "none" : java.util.Arrays.toString(got)) + ", the config needs "
                        + java.util.Arrays.toString(e.getValue()));
            }
        }
    }

    /**
     * Writes the GGUF: matrices in {@code type} (F32 or Q8_0), norms in F32, the tokenizer of
     * {@code tokenizerSource}.
     */
    public void writeGguf(Path out, GGUFFile tokenizerSource, GGMLType type, String name, String description) {
        if (tokenizerSource.getStringArray("tokenizer.ggml.tokens").length != config.vocabSize()) {
            throw new UserError("the tokenizer of " + tokenizerSource.path() + " has "
                    + tokenizerSource.getStringArray("tokenizer.ggml.tokens").length + " tokens, the weights "
                    + config.vocabSize() + "; export with the model whose tokenizer made the training data");
        }
        GGUFWriter w = new GGUFWriter();
        config.writeTo(w);
        w.putString("general.name", name);
        w.putString("general.description", description);
        w.putU32("general.file_type", type == GGMLType.F32 ? 0 : 7);
        for (String key : TOKENIZER_KEYS) {
            Object v = tokenizerSource.get(key);
            switch (v) {
                case null -> { }
                case String s -> w.putString(key, s);
                case Boolean b -> w.putBool(key, b);
                case Number n -> w.putU32(key, n.intValue());
                default -> {
                    if (key.equals("tokenizer.ggml.token_type")) w.putI32Array(key, tokenizerSource.getIntArray(key));
                    else w.putStringArray(key, tokenizerSource.getStringArray(key));
                }
            }
        }
        for (var e : tensors.entrySet()) {
            int[] shape = shapes.get(e.getKey());
            float[] v = e.getValue();
            if (shape.length == 1) {
                w.addTensor(e.getKey(), new long[]{shape[0]}, GGMLType.F32, Quantize.quantize(GGMLType.F32, v));
            } else {
                w.addTensor(e.getKey(), new long[]{shape[1], shape[0]}, type, () -> Quantize.quantize(type, v));
            }
        }
        w.write(out);
    }
}
