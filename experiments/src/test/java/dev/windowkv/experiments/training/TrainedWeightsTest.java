package dev.windowkv.experiments.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.windowkv.engine.UserError;
import dev.windowkv.engine.backend.Backend;
import dev.windowkv.engine.backend.Backends;
import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.engine.gguf.GGUFFile;
import dev.windowkv.engine.model.Model;
import dev.windowkv.engine.model.Transformer;
import dev.windowkv.experiments.cli.Cli;
import dev.windowkv.experiments.cli.DefaultModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The export of train.py's weights to GGUF, end to end and without PyTorch: a tiny model whose every
 * weight is a closed formula (the same one experiments/training/reference_logits.py --formula
 * computes) is written as weights.json/bin, exported, loaded by the engine, and its logits compared
 * with the ones PyTorch gave (formula-reference.json, committed).
 */
class TrainedWeightsTest {
    /** The fixture's model: reference_logits.py FORMULA_CONFIG. */
    static final int VOCAB = 3858, DIM = 32, LAYERS = 2, HEADS = 4, KV_HEADS = 2, HEAD_DIM = 8, FFN = 64, CONTEXT = 256;

    @TempDir
    static Path dir;
    static JsonNode reference;

    @BeforeAll
    static void readReference() throws IOException {
        Cli.useCheckoutAsHome();
        try (InputStream in = TrainedWeightsTest.class.getResourceAsStream("formula-reference.json")) {
            reference = new ObjectMapper().readTree(in);
        }
    }

    /** reference_logits.formula. */
    static float[] formula(int index, int[] shape) {
        int n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = shape.length == 1 ? (float) (1.0 + 0.1 * Math.sin(0.37 * i + 1.1 * index))
                    : (float) (0.25 * Math.sin(0.113 * i + 0.7 * index) * Math.cos(0.0071 * i));
        }
        return v;
    }

    /** The tensors train.py writes, in its order, with their (rows, cols). */
    static List<Object[]> layout() {
        List<Object[]> t = new ArrayList<>();
        t.add(new Object[]{"token_embd.weight", new int[]{VOCAB, DIM}});
        for (int l = 0; l < LAYERS; l++) {
            String p = "blk." + l + ".";
            t.add(new Object[]{p + "attn_norm.weight", new int[]{DIM}});
            t.add(new Object[]{p + "attn_q.weight", new int[]{HEADS * HEAD_DIM, DIM}});
            t.add(new Object[]{p + "attn_k.weight", new int[]{KV_HEADS * HEAD_DIM, DIM}});
            t.add(new Object[]{p + "attn_v.weight", new int[]{KV_HEADS * HEAD_DIM, DIM}});
            t.add(new Object[]{p + "attn_output.weight", new int[]{DIM, HEADS * HEAD_DIM}});
            t.add(new Object[]{p + "ffn_norm.weight", new int[]{DIM}});
            t.add(new Object[]{p + "ffn_gate.weight", new int[]{FFN, DIM}});
            t.add(new Object[]{p + "ffn_up.weight", new int[]{FFN, DIM}});
            t.add(new Object[]{p + "ffn_down.weight", new int[]{DIM, FFN}});
        }
        t.add(new Object[]{"output_norm.weight", new int[]{DIM}});
        t.add(new Object[]{"output.weight", new int[]{VOCAB, DIM}});
        return t;
    }

    /** Writes weights.json + weights.bin as train.py does; {@code rotatePairs} garbles attn_q (a layout bug). */
    static Path writeFormulaWeights(String name, boolean garbleQ) throws IOException {
        Path folder = Files.createDirectories(dir.resolve(name));
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        ObjectNode c = root.putObject("config");
        c.put("vocab", VOCAB).put("dim", DIM).put("layers", LAYERS).put("heads", HEADS).put("kv_heads", KV_HEADS)
                .put("head_dim", HEAD_DIM).put("ffn", FFN).put("context", CONTEXT).put("rope_base", 10000.0).put("norm_eps", 1e-5);
        ArrayNode tensors = root.putArray("tensors");
        List<Object[]> layout = layout();
        long offset = 0;
        ByteBuffer bin = ByteBuffer.allocate(layout.stream().mapToInt(t -> 4 * Arrays.stream((int[]) t[1]).reduce(1, (a, b) -> a * b)).sum())
                .order(ByteOrder.LITTLE_ENDIAN);
        for (int k = 0; k < layout.size(); k++) {
            String tn = (String) layout.get(k)[0];
            int[] shape = (int[]) layout.get(k)[1];
            float[] v = formula(k, shape);
            if (garbleQ && tn.endsWith("attn_q.weight")) {
                // Neox order (first half / second half) instead of GGUF llama's adjacent pairs.
                float[] w = v.clone();
                for (int h = 0; h < HEADS; h++) {
                    for (int i = 0; i < HEAD_DIM / 2; i++) {
                        System.arraycopy(v, (h * HEAD_DIM + 2 * i) * DIM, w, (h * HEAD_DIM + i) * DIM, DIM);
                        System.arraycopy(v, (h * HEAD_DIM + 2 * i + 1) * DIM, w, (h * HEAD_DIM + HEAD_DIM / 2 + i) * DIM, DIM);
                    }
                }
                v = w;
            }
            for (float x : v) bin.putFloat(x);
            ObjectNode t = tensors.addObject();
            t.put("name", tn);
            ArrayNode s = t.putArray("shape");
            for (int d : shape) s.add(d);
            t.put("offset", offset);
            offset += 4L * v.length;
        }
        root.put("step", 0).put("tokens", 0).put("seed", 0).put("command", "test");
        json.writeValue(folder.resolve("weights.json").toFile(), root);
        Files.write(folder.resolve("weights.bin"), bin.array());
        return folder;
    }

    static Path export(Path folder, GGMLType type) {
        Path out = folder.resolve("model-" + type + ".gguf");
        try (GGUFFile source = GGUFFile.open(DefaultModel.path())) {
            TrainedWeights.read(folder).writeGguf(out, source, type, "test", "formula weights");
        }
        return out;
    }

    static float[] engineLogits(Path gguf, int[] tokens) {
        try (Model m = Model.load(gguf); Backend b = Backends.create("scalar", 1)) {
            return new Transformer(m, b).prefill(tokens, (l, q, k, v) -> {});
        }
    }

    static int[] referenceTokens() {
        int[] t = new int[reference.path("tokens").size()];
        for (int i = 0; i < t.length; i++) t[i] = reference.path("tokens").get(i).asInt();
        return t;
    }

    static float maxDifference(float[] logits) {
        float max = 0;
        for (int i = 0; i < logits.length; i++) {
            max = Math.max(max, Math.abs(logits[i] - (float) reference.path("last_logits").get(i).asDouble()));
        }
        return max;
    }

    @Test
    void exportedF32ModelGivesPyTorchsLogits() throws IOException {
        float[] logits = engineLogits(export(writeFormulaWeights("f32", false), GGMLType.F32), referenceTokens());
        assertEquals(VOCAB, logits.length);
        assertTrue(maxDifference(logits) < 1e-3, "max |engine - PyTorch| = " + maxDifference(logits));
    }

    @Test
    void theComparisonSeesAQueryLayoutMistake() throws IOException {
        float[] logits = engineLogits(export(writeFormulaWeights("garbled", true), GGMLType.F32), referenceTokens());
        assertTrue(maxDifference(logits) > 1e-2, "a neox-ordered attn_q should change the logits, max diff " + maxDifference(logits));
    }

    @Test
    void q8ExportKeepsTheGreedyTokensAndTheTokenizer() throws IOException {
        Path gguf = export(writeFormulaWeights("q8", false), GGMLType.Q8_0);
        float[] logits = engineLogits(gguf, referenceTokens());
        assertTrue(maxDifference(logits) < 0.05, "Q8_0 rounding only, max diff " + maxDifference(logits));
        try (Model trained = Model.load(gguf); Model shipped = Model.load(DefaultModel.path())) {
            String text = "The special magic number for mango is 4821 0937.";
            assertArrayEquals(shipped.tokenizer().encode(text, true, false), trained.tokenizer().encode(text, true, false));
            assertEquals(GGMLType.Q8_0, trained.file().tensor("blk.0.attn_q.weight").type());
            assertEquals(GGMLType.F32, trained.file().tensor("blk.0.attn_norm.weight").type());
        }
    }

    /** engine/scripts/llama-cpp-oracle.sh's binary, where it was built (it is never committed). */
    static Path llamaOracle() {
        String cache = System.getenv().getOrDefault("WINDOWKV_CACHE", System.getProperty("user.home") + "/.cache/windowkv");
        return Path.of(cache, "llama-oracle", "windowkv-llama-oracle");
    }

    static boolean llamaOracleBuilt() {
        return Files.isExecutable(llamaOracle());
    }

    /** llama.cpp loads the export and greedily decodes what PyTorch decodes (the oracle prints "step S ARGMAX ..."). */
    @Test
    @EnabledIf("llamaOracleBuilt")
    void llamaCppDecodesPyTorchsGreedyTokens() throws Exception {
        Path gguf = export(writeFormulaWeights("llama", false), GGMLType.F32);
        int steps = reference.path("greedy").size();
        List<String> cmd = new ArrayList<>(List.of(llamaOracle().toString(), gguf.toString(), String.valueOf(steps - 1), "1"));
        for (int t : referenceTokens()) cmd.add(String.valueOf(t));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<Integer> greedy = new ArrayList<>();
        for (String line : new String(p.getInputStream().readAllBytes()).split("\n")) {
            if (line.startsWith("step ")) greedy.add(Integer.parseInt(line.split(" ")[2]));
        }
        assertEquals(0, p.waitFor());
        List<Integer> expected = new ArrayList<>();
        reference.path("greedy").forEach(n -> expected.add(n.asInt()));
        assertEquals(expected, greedy);
    }

    /**
     * The shipped trained model against its own PyTorch run, where one is given: {@code
     * -Dwindowkv.trainedCheck=DIR} with DIR/model.gguf (import-weights --type F32) and DIR/reference.json
     * (reference_logits.py on the run's weights). Not part of a plain build: it needs the training run.
     */
    @Test
    @EnabledIfSystemProperty(named = "windowkv.trainedCheck", matches = ".+")
    void trainedModelGivesItsPyTorchLogits() throws IOException {
        Path d = Path.of(System.getProperty("windowkv.trainedCheck"));
        JsonNode ref = new ObjectMapper().readTree(d.resolve("reference.json").toFile());
        int[] tokens = new int[ref.path("tokens").size()];
        for (int i = 0; i < tokens.length; i++) tokens[i] = ref.path("tokens").get(i).asInt();
        float[] logits = engineLogits(d.resolve("model.gguf"), tokens);
        float max = 0;
        for (int i = 0; i < logits.length; i++) max = Math.max(max, Math.abs(logits[i] - (float) ref.path("last_logits").get(i).asDouble()));
        System.err.println("trained model: max |engine - PyTorch| over " + logits.length + " logits after " + tokens.length + " tokens = " + max);
        assertTrue(max < 1e-3, "max |engine - PyTorch| = " + max);
    }

    @Test
    void aShapeThatDisagreesWithTheConfigIsOneLine() throws IOException {
        Path folder = writeFormulaWeights("badshape", false);
        Path json = folder.resolve("weights.json");
        Files.writeString(json, Files.readString(json).replace("\"ffn\":64", "\"ffn\":96"));
        UserError e = assertThrows(UserError.class, () -> TrainedWeights.read(folder));
        assertTrue(e.getMessage().contains("ffn_gate.weight"), e.getMessage());
    }

    @Test
    void importWeightsCommandNamesAMissingRun() {
        Cli.Outcome o = Cli.run("import-weights", "--in", dir.resolve("nothing").toString(), "--out", dir.resolve("x.gguf").toString());
        assertEquals(2, o.exit());
        assertTrue(o.errLines().contains("no weights.json"), o.errLines());
    }
}
