package dev.windowkv.experiments.cli;

import dev.windowkv.engine.Generator;
import dev.windowkv.engine.UserError;
import dev.windowkv.engine.backend.Backend;
import dev.windowkv.engine.backend.Backends;
import dev.windowkv.engine.kvcache.KvCache;
import dev.windowkv.engine.kvcache.KvPolicy;
import dev.windowkv.engine.kvcache.Policies;
import dev.windowkv.engine.kvcache.TaskType;
import dev.windowkv.engine.model.Model;
import dev.windowkv.engine.sampling.Sampler;
import dev.windowkv.engine.tokenizer.ChatTemplate;
import dev.windowkv.experiments.classifier.OracleTaskClassifier;
import dev.windowkv.experiments.classifier.PromptTaskClassifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code windowkv generate}: one prompt, streamed, under a KV-cache policy, with its figures. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate from a prompt, compressing the KV cache at the end of prefill.")
public final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--model", description = "GGUF model file (default: the shipped model)")
    Path model;

    @Option(names = "--prompt", description = "prompt text")
    String prompt;

    @Option(names = "--prompt-file", description = "read the prompt from a file")
    Path promptFile;

    @Option(names = "--chat", description = "wrap the prompt in the model's chat template")
    boolean chat;

    @Option(names = "--max-tokens", defaultValue = "64", description = "tokens to generate (default: ${DEFAULT-VALUE})")
    int maxTokens;

    @Option(names = "--backend", defaultValue = "vector", description = "scalar, threads, vector or tornado (default: ${DEFAULT-VALUE})")
    String backend;

    @Option(names = "--threads", description = "threads (default: all cores)")
    Integer threads;

    @Option(names = "--seed", defaultValue = "42", description = "sampling seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--temperature", defaultValue = "0", description = "0 = greedy (default: ${DEFAULT-VALUE})")
    float temperature;

    @Option(names = "--top-p", defaultValue = "1", description = "nucleus sampling mass (default: ${DEFAULT-VALUE})")
    float topP;

    @Option(names = "--kv", defaultValue = "full",
            description = "KV policy: full, streamingllm, h2o, snapkv, pyramidkv, windowkv (default: ${DEFAULT-VALUE})")
    String kv;

    @Option(names = "--budget", description = "KV budget: tokens kept per layer (the policies' average budget); needed by every policy but full")
    Integer budget;

    @Option(names = "--strategy", description = "WindowKV pooling, overriding the task label: max or average")
    String strategy;

    @Option(names = "--task-type", description = "the task label WindowKV uses when --strategy is not given: qa or aggregation (default: qa)")
    String taskType;

    @Option(names = "--task", description = "label the prompt by task or dataset name (oracle), e.g. hotpotqa, gov_report, niah_single")
    String task;

    @Option(names = "--classifier", description = "label the prompt with the learned classifier (MiniLM + logistic head): learned")
    String classifier;

    @Option(names = "--classifier-weights", paramLabel = "FILE",
            description = "label the prompt with the learned classifier whose head train-classifier wrote to FILE")
    Path classifierWeights;

    @Option(names = "--kv-opt", description = "any policy option, key=value (repeatable), e.g. --kv-opt groupSize=4")
    List<String> kvOptions;

    @Option(names = "--kv-dtype", defaultValue = "f32",
            description = "KV cache storage: f32, f16, q8_0 or q4_0 (GGUF blocks of 32 along the head dimension) (default: ${DEFAULT-VALUE})")
    String kvDtype;

    @Override
    public Integer call() throws Exception {
        String text = promptText();
        Map<String, String> options = policyOptions(budget, strategy, kvOptions);
        KvPolicy policy = Policies.create(kv, options);
        requireBudget(policy, options);
        KvCache.Dtype dtype = KvCache.Dtype.byId(kvDtype);
        if (dtype == null) throw new UserError("--kv-dtype must be " + KvCache.Dtype.CHOICES + " (got '" + kvDtype + "')");
        // Checked before the classifier or the model is loaded.
        Generator.Settings settings = new Generator.Settings(maxTokens, new Sampler(temperature, topP, seed), dtype, false);
        TaskType hint = label(text);
        Path modelPath = model != null ? model : DefaultModel.path();
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        try (Backend be = Backends.create(backend, threads != null ? threads : Backends.defaultThreads());
             Model m = Model.load(modelPath)) {
            if (chat) text = ChatTemplate.of(m.file()).render(List.of(new ChatTemplate.Message("user", text)), true);
            int[] tokens = m.tokenizer().encode(text, true, chat);
            Generator.Result r = new Generator(m, be).generate(tokens, settings, policy, hint, piece -> {
                out.print(piece);
                out.flush();
            });
            out.println();
            printFigures(System.err, m, be, policy, r);
        }
        return 0;
    }

    private String promptText() {
        if (prompt != null && promptFile != null) throw new UserError("give --prompt or --prompt-file, not both");
        if (promptFile != null) return readPrompt(promptFile);
        if (prompt == null) throw new UserError("no prompt: give --prompt \"...\" or --prompt-file FILE");
        return prompt;
    }

    /** The file's text; bytes that are not UTF-8 are an error, never replaced, so the prompt is what the file says. */
    static String readPrompt(Path file) {
        if (!Files.exists(file)) throw new PromptFileError("prompt file not found: " + file);
        if (Files.isDirectory(file)) throw new PromptFileError("prompt file " + file + " is a directory; give a text file");
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new PromptFileError("cannot read prompt file " + file + " (" + e + ")");
        }
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer text = CharBuffer.allocate(bytes.length);
        CoderResult r = utf8.decode(in, text, true);
        if (!r.isError()) r = utf8.flush(text);
        if (r.isError()) {
            throw new PromptFileError("prompt file " + file + " is not valid UTF-8 text (byte " + in.position()
                    + " of " + bytes.length + "); save it as UTF-8");
        }
        return text.flip().toString();
    }

    /** Without a budget a compressing policy would keep its default 2048 tokens: on most prompts, everything. */
    static void requireBudget(KvPolicy policy, Map<String, String> options) {
        if (!policy.name().equals("full") && !options.containsKey("budget") && !options.containsKey("ratio")) {
            throw new UserError("--kv " + policy.name() + " compresses to a budget: give --budget N (tokens kept per layer), e.g. --budget 128");
        }
    }

    private TaskType label(String text) {
        boolean learned = classifier != null || classifierWeights != null;
        int given = (taskType != null ? 1 : 0) + (task != null ? 1 : 0) + (learned ? 1 : 0);
        if (given > 1) throw new UserError("give one of --task-type, --task and --classifier");
        if (task != null) return new OracleTaskClassifier().classify(task, text);
        if (learned) {
            if (classifier != null && !classifier.equals("learned")) throw new UserError("--classifier takes 'learned' (got '" + classifier + "')");
            PromptTaskClassifier c = classifierWeights != null ? PromptTaskClassifier.fromFile(classifierWeights) : PromptTaskClassifier.shipped();
            TaskType t = c.classify(text);
            System.err.println("classifier: " + t);
            return t;
        }
        return parseTaskType(taskType);
    }

    static Map<String, String> policyOptions(Integer budget, String strategy, List<String> kvOptions) {
        Map<String, String> options = new LinkedHashMap<>();
        if (budget != null) options.put("budget", Integer.toString(budget));
        if (strategy != null) options.put("strategy", strategy);
        if (kvOptions != null) {
            for (String kvOpt : kvOptions) {
                int eq = kvOpt.indexOf('=');
                if (eq <= 0) throw new UserError("--kv-opt takes key=value (got '" + kvOpt + "')");
                options.put(kvOpt.substring(0, eq).trim(), kvOpt.substring(eq + 1).trim());
            }
        }
        return options;
    }

    static TaskType parseTaskType(String s) {
        if (s == null) return TaskType.QA;
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "qa" -> TaskType.QA;
            case "aggregation", "other" -> TaskType.AGGREGATION;
            default -> throw new UserError("--task-type must be qa or aggregation (got '" + s + "')");
        };
    }

    static void printFigures(PrintStream err, Model m, Backend be, KvPolicy policy, Generator.Result r) {
        err.printf(Locale.ROOT, "%n[%s | backend %s, %d threads | policy %s]%n", m.file().path().getFileName(), be.name(),
                be.threads(), r.policyInfo());
        err.printf(Locale.ROOT, "prompt: %d tokens in %.1f ms (%.1f tok/s), compression %.2f ms (%.2f%% of prefill)%n",
                r.promptTokens().length, r.prefillMillis() + r.compressMillis(), r.prefillTokensPerSecond(),
                r.compressMillis(), 100 * r.compressMillis() / (r.prefillMillis() + r.compressMillis()));
        double rate = r.decodeTokensPerSecond(); // NaN with fewer than two tokens: the first comes from the prefill
        err.printf(Locale.ROOT, "decode: %d tokens in %.1f ms%s%n", r.tokens().length, r.decodeMillis(),
                Double.isFinite(rate) ? String.format(Locale.ROOT, " (%.2f tok/s)", rate) : "");
        err.printf(Locale.ROOT, "KV cache after prefill: %s of %s FullKV (%.1f%%)%n", bytes(r.kvBytes()), bytes(r.fullKvBytes()),
                100.0 * r.kvBytes() / r.fullKvBytes());
        StringBuilder sb = new StringBuilder("tokens kept per layer:");
        for (int k : r.tokensKeptPerLayer()) sb.append(' ').append(k);
        err.println(sb);
    }

    static String bytes(long b) {
        if (b >= 1 << 20) return String.format(Locale.ROOT, "%.2f MiB", b / (double) (1 << 20));
        if (b >= 1 << 10) return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
        return b + " B";
    }
}
