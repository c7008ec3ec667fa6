package dev.windowkv.engine.oracle;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;
import de.kherud.llama.args.CacheType;
import de.kherud.llama.args.LogFormat;

import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.StringJoiner;
import java.util.stream.Collectors;

/**
 * llama.cpp in process (the {@code de.kherud:llama} binding, llama.cpp b4916) as an oracle.
 *
 * <p>The binding exposes neither logits nor token ids: only generated text. (Its top-k probability
 * map reads JSON fields the bundled server no longer writes, so it is not used.) Two things make
 * text enough:
 * <ul>
 *   <li>the prompt is sent as a JSON array of token ids, so both engines see exactly the same tokens
 *       and no BOS is added;</li>
 *   <li>a logit bias on one token turns "does llama.cpp's greedy pick change" into a comparison of
 *       two logits: token B is picked over the top token A exactly when {@code logit(B) + bias >
 *       logit(A)}. Bisecting on the bias measures {@code logit(A) - logit(B)}, which is also
 *       {@code log p(A) - log p(B)}: the top-k log-probabilities up to their shared normaliser.</li>
 * </ul>
 *
 * <p>Runs with an F32 KV cache and without flash attention, on 1 thread (its spinning thread pool crawls on a shared 2-core machine). The JVM that loads it
 * does not exit by itself (native threads stay alive); Surefire's forked-process exit timeout ends it.
 */
final class LlamaCpp implements AutoCloseable {
    private static final Field PARAMETERS;

    static {
        try {
            Class<?> json = Class.forName("de.kherud.llama.JsonParameters");
            PARAMETERS = json.getDeclaredField("parameters");
            PARAMETERS.setAccessible(true);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
        LlamaModel.setLogger(LogFormat.TEXT, (level, message) -> {});
    }

    private final LlamaModel model;

    LlamaCpp(Path gguf, int contextSize) {
        ModelParameters p = new ModelParameters()
                .setModel(gguf.toString())
                .setCtxSize(contextSize)
                .setBatchSize(contextSize)
                .setUbatchSize(contextSize)
                .setThreads(1)
                .setThreadsBatch(1)
                .setGpuLayers(0)
                .setCacheTypeK(CacheType.F32)
                .setCacheTypeV(CacheType.F32)
                .setParallel(1)
                .disableContextShift()
                .skipWarmup()
                .disableLog();
        this.model = new LlamaModel(p);
    }

    /** The text of {@code n} greedy tokens after {@code prompt}: the bytes of every token, UTF-8 decoded at once. */
    String greedy(int[] prompt, int n) {
        return model.complete(request(prompt, n, Map.of()));
    }

    /** The text of the greedy next token after {@code prompt} with {@code bias} added to the logit of each key. */
    String next(int[] prompt, Map<Integer, Double> bias) {
        return model.complete(request(prompt, 1, bias));
    }

    private static InferenceParameters request(int[] prompt, int n, Map<Integer, Double> bias) {
        InferenceParameters p = new InferenceParameters("")
                .setNPredict(n)
                .setTemperature(0f)
                .setTopK(1)
                .setRepeatPenalty(1f)
                .setRepeatLastN(0)
                .setPresencePenalty(0f)
                .setFrequencyPenalty(0f)
                .setSeed(1)
                .setCachePrompt(true);
        Map<String, String> raw = raw(p);
        raw.put("prompt", Arrays.stream(prompt).mapToObj(Integer::toString).collect(Collectors.joining(",", "[", "]")));
        if (!bias.isEmpty()) {
            StringJoiner j = new StringJoiner(",", "[", "]");
            bias.forEach((token, b) -> j.add("[" + token + "," + b + "]"));
            raw.put("logit_bias", j.toString());
        }
        return p;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> raw(InferenceParameters p) {
        try {
            return (Map<String, String>) PARAMETERS.get(p);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        model.close();
    }
}
