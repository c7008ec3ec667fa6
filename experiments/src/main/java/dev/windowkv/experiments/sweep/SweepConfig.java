package dev.windowkv.experiments.sweep;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.windowkv.engine.UserError;
import dev.windowkv.engine.backend.Backends;
import dev.windowkv.engine.kvcache.KvCache;
import dev.windowkv.engine.kvcache.Policies;
import dev.windowkv.experiments.tasks.Haystack;
import dev.windowkv.experiments.tasks.TaskSuite;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A sweep, as a JSON file (schema in the README, section "Sweep configuration"). Every field can be
 * overridden from the command line with {@code --set key=value}.
 *
 * @param name        names the output folder, {@code results/<name>}
 * @param models      GGUF paths; {@code "default"} is the shipped model
 * @param backend     scalar, threads, vector or tornado
 * @param threads     compute threads (null: all cores)
 * @param kvDtype     f32, f16, q8_0 or q4_0 (a policy entry may override it)
 * @param tasks       synthetic task names (see {@code windowkv tasks})
 * @param lengths     prompt lengths in tokens
 * @param depths      needle depths in [0, 1] (tasks without a needle run once per cell)
 * @param samples     samples per (task, length, depth) cell
 * @param seed        base seed; every sample's seed derives from it
 * @param haystack    prose or words
 * @param maxNewTokens generation budget (null: each task's own)
 * @param policies    the policies and their budgets
 * @param heatmapBudget budget of the needle heatmaps (null: the second smallest budget)
 * @param longbench   optional LongBench run (null: none)
 * @param classifier  WindowKV's task label: "oracle" (by task/dataset name, the default) or "learned"
 *                    (MiniLM embedding + the shipped logistic head, reading the prompt)
 * @param backendComparison prompt length of the backend comparison run at the end of the sweep on
 *                    its first model (every Java backend, for the backend plot); null: none
 * @param valueSpans  tokens per needle value, an axis of the niah tasks (1-64 each; a null entry is the
 *                    task's own short value); null: the tasks' own values only. Unused without a niah task
 */
@JsonIgnoreProperties(value = {"$schema", "comment"})
public record SweepConfig(String name, List<String> models, String backend, Integer threads, String kvDtype,
                          List<String> tasks, List<Integer> lengths, List<Double> depths, int samples, long seed,
                          String haystack, Integer maxNewTokens, List<PolicySpec> policies, Integer heatmapBudget,
                          LongBenchSpec longbench, String classifier, Integer backendComparison,
                          List<Integer> valueSpans) {

    /** LongBench part of a sweep: a folder of {@code <dataset>.jsonl} files and the datasets to run. */
    public record LongBenchSpec(String data, List<String> datasets, int maxInputTokens, Integer samplesPerDataset) {}

    /**
     * Strict: unknown keys, duplicate keys, anything after the closing brace, and a number with a
     * fraction where an integer belongs ({@code samples=1.7}, a budget of 64.9) are errors, never
     * silently dropped or truncated.
     */
    static final ObjectMapper JSON = strictMapper();

    private static ObjectMapper strictMapper() {
        ObjectMapper m = new ObjectMapper()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .enable(SerializationFeature.INDENT_OUTPUT);
        m.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        m.coercionConfigFor(LogicalType.Float).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        return m;
    }

    public static final String DEFAULT_RESOURCE = "/dev/windowkv/experiments/sweep/default-sweep.json";

    public static SweepConfig load(Path file, List<String> overrides) {
        if (!Files.exists(file)) throw new ConfigError("config file not found: " + file);
        try {
            return parse(JSON.readTree(file.toFile()), overrides, file.toString());
        } catch (JsonProcessingException e) {
            throw new ConfigError(file + ": not valid JSON at line " + e.getLocation().getLineNr() + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigError("cannot read " + file + ": " + e.getMessage());
        }
    }

    public static SweepConfig defaults(List<String> overrides) {
        try (InputStream in = SweepConfig.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            return parse(JSON.readTree(in), overrides, "default sweep");
        } catch (IOException e) {
            throw new IllegalStateException("the default sweep config is missing from the jar", e);
        }
    }

    static SweepConfig parse(JsonNode tree, List<String> overrides, String source) {
        if (!(tree instanceof ObjectNode obj)) throw new ConfigError(source + ": the config must be a JSON object");
        for (String o : overrides) {
            int eq = o.indexOf('=');
            if (eq <= 0) throw new ConfigError("--set takes key=value (got '" + o + "')");
            String key = o.substring(0, eq).trim();
            String value = o.substring(eq + 1).trim();
            JsonNode parsed;
            try {
                parsed = JSON.readTree(value);
            } catch (JsonProcessingException e) {
                parsed = null;
            }
            if (parsed == null || parsed.isMissingNode()) parsed = JSON.getNodeFactory().textNode(value);
            obj.set(key, parsed);
        }
        SweepConfig c;
        try {
            c = JSON.treeToValue(obj, SweepConfig.class);
        } catch (UnrecognizedPropertyException e) {
            throw new ConfigError(source + ": unknown key '" + e.getPropertyName() + "' (known: " + e.getKnownPropertyIds() + ")");
        } catch (JsonProcessingException e) {
            throw new ConfigError(source + ": " + mappingProblem(e));
        }
        c.validate(source);
        return c;
    }

    /**
     * A value of the wrong kind, said as the key and what it must be: {@code 'samples' must be a
     * whole number (got 1.7)}, not Jackson's class names and coercion settings.
     */
    static String mappingProblem(JsonProcessingException e) {
        StringBuilder key = new StringBuilder();
        if (e instanceof com.fasterxml.jackson.databind.JsonMappingException m) {
            for (var ref : m.getPath()) {
                if (ref.getFieldName() != null) key.append(key.isEmpty() ? "" : ".").append(ref.getFieldName());
                else if (ref.getIndex() >= 0) key.append('[').append(ref.getIndex()).append(']');
            }
        }
        String what = e.getOriginalMessage().replaceAll("\\s*\\(but could if coercion was enabled[^)]*\\)", "")
                .replaceAll("`java\\.lang\\.|`", "").replaceAll("dev\\.windowkv\\.experiments\\.sweep\\.", "");
        java.util.regex.Matcher coerce = java.util.regex.Pattern.compile("Cannot coerce [^(]*\\(([^)]*)\\) to (\\w+)").matcher(what);
        if (coerce.find()) {
            String type = coerce.group(2);
            String kind = type.equals("int") || type.equals("long") || type.equals("Integer") || type.equals("Long")
                    ? "a whole number" : "a " + type;
            return "'" + key + "' must be " + kind + " (got " + coerce.group(1) + ")";
        }
        return (key.isEmpty() ? "" : "'" + key + "': ") + what.lines().findFirst().orElse(what);
    }

    void validate(String source) {
        String at = source + ": ";
        int shortestLongBench = Integer.MAX_VALUE;
        if (name == null || name.isBlank() || !name.matches("[A-Za-z0-9._-]+") || name.matches("\\.+")) {
            throw new ConfigError(at + "'name' must be a simple folder name (letters, digits, . _ -, not only dots), got " + name);
        }
        if (models == null || models.isEmpty()) throw new ConfigError(at + "'models' must list at least one model (or \"default\")");
        if (backend == null) throw new ConfigError(at + "'backend' is missing (scalar, threads, vector or tornado)");
        if (!Backends.JAVA_NAMES.contains(backend) && !backend.equals("tornado")) {
            throw new ConfigError(at + "'backend' is '" + backend + "'; choose scalar, threads, vector or tornado");
        }
        if (threads != null && threads <= 0) throw new ConfigError(at + "'threads' must be ≥ 1, got " + threads);
        if (kvDtype != null && KvCache.Dtype.byId(kvDtype) == null) {
            throw new ConfigError(at + "'kvDtype' must be " + KvCache.Dtype.CHOICES + ", got " + kvDtype);
        }
        boolean synthetic = tasks != null && !tasks.isEmpty();
        if (!synthetic && longbench == null) throw new ConfigError(at + "'tasks' is empty and there is no 'longbench': nothing to run");
        if (synthetic) {
            for (String t : tasks) {
                if (!TaskSuite.names().contains(t)) {
                    throw new ConfigError(at + "'tasks' has unknown task '" + t + "'; known: " + TaskSuite.names());
                }
            }
            if (lengths == null || lengths.isEmpty()) throw new ConfigError(at + "'lengths' must list prompt lengths in tokens");
            for (int len : lengths) if (len < 64) throw new ConfigError(at + "'lengths' entry " + len + " is too short (≥ 64 tokens)");
            if (depths == null || depths.isEmpty()) throw new ConfigError(at + "'depths' must list needle depths in [0, 1]");
            for (double d : depths) if (!(d >= 0 && d <= 1)) throw new ConfigError(at + "'depths' entry " + d + " is outside [0, 1]");
            if (haystack != null) Haystack.byName(haystack);
        }
        if (classifier != null && !classifier.equals("oracle") && !classifier.equals("learned")) {
            throw new ConfigError(at + "'classifier' must be oracle or learned, got " + classifier);
        }
        if (longbench != null) {
            if (longbench.data() == null) throw new ConfigError(at + "'longbench.data' must name a folder of <dataset>.jsonl files");
            if (longbench.datasets() == null || longbench.datasets().isEmpty()) {
                throw new ConfigError(at + "'longbench.datasets' must list datasets, e.g. [\"hotpotqa\"]");
            }
            for (String d : longbench.datasets()) {
                if (!dev.windowkv.experiments.longbench.LongBenchDataset.isKnown(d)) {
                    throw new ConfigError(at + "'longbench.datasets' has unknown dataset '" + d + "'; known: "
                            + dev.windowkv.experiments.longbench.LongBenchDataset.ENGLISH);
                }
            }
            if (longbench.maxInputTokens() < 64) throw new ConfigError(at + "'longbench.maxInputTokens' must be ≥ 64");
            shortestLongBench = longbench.maxInputTokens();
        }
        if (backendComparison != null && backendComparison < 16) {
            throw new ConfigError(at + "'backendComparison' is a prompt length (≥ 16 tokens) or null, got " + backendComparison);
        }
        if (samples <= 0) throw new ConfigError(at + "'samples' must be ≥ 1, got " + samples);
        validateValueSpans(at, synthetic);
        if (maxNewTokens != null && maxNewTokens <= 0) throw new ConfigError(at + "'maxNewTokens' must be ≥ 1");
        if (policies == null || policies.isEmpty()) throw new ConfigError(at + "'policies' must list at least one policy");
        List<String> labels = new ArrayList<>();
        int shortest = synthetic ? lengths.stream().mapToInt(Integer::intValue).min().orElse(0) : shortestLongBench;
        for (int i = 0; i < policies.size(); i++) {
            PolicySpec p = policies.get(i);
            String where = at + "policies[" + i + "]";
            if (p.policy() == null) throw new ConfigError(where + " has no 'policy' (one of " + Policies.names() + ")");
            if (!Policies.names().contains(p.policy())) { // plug-ins on the class path included
                throw new ConfigError(where + ": unknown policy '" + p.policy() + "'; known: " + Policies.names());
            }
            if (labels.contains(p.displayLabel())) {
                throw new ConfigError(where + ": label '" + p.displayLabel() + "' is used twice; give each variant its own 'label'");
            }
            labels.add(p.displayLabel());
            if (p.kvDtype() != null && KvCache.Dtype.byId(p.kvDtype()) == null) {
                throw new ConfigError(where + ": 'kvDtype' must be " + KvCache.Dtype.CHOICES + ", got " + p.kvDtype());
            }
            if (!p.isFull() && p.budgets().isEmpty() && p.ratios().isEmpty()) {
                throw new ConfigError(where + " (" + p.policy() + ") needs 'budgets' (tokens) or 'ratios' (kept fractions)");
            }
            for (double r : p.ratios()) {
                if (!(r > 0 && r <= 1)) throw new ConfigError(where + ": ratio " + r + " must be a kept fraction in (0, 1]");
                try {
                    Policies.create(p.policy(), ratioOptions(p, r));
                } catch (UserError e) {
                    throw new ConfigError(where + ": " + e.getMessage());
                }
            }
            for (int b : p.budgets()) {
                if (b <= 0) throw new ConfigError(where + ": budget " + b + " must be ≥ 1");
                if (b >= shortest) {
                    throw new ConfigError(where + ": budget " + b + " is not smaller than the shortest prompt (" + shortest
                            + " tokens), so nothing would be compressed; drop it or add longer 'lengths'");
                }
            }
            // Fail now, not an hour into the sweep, on a bad option.
            for (int b : p.isFull() ? List.of(1) : p.budgets()) {
                try {
                    Policies.create(p.policy(), options(p, b));
                } catch (UserError e) {
                    throw new ConfigError(where + ": " + e.getMessage());
                }
            }
        }
    }

    private void validateValueSpans(String at, boolean synthetic) {
        // Without a niah task the spans are unused, as depths are for cwe and fwe.
        if (valueSpans == null || !synthetic || tasks.stream().noneMatch(t -> TaskSuite.byName(t).takesValueSpan())) return;
        int max = dev.windowkv.experiments.tasks.SampleSpec.MAX_VALUE_SPAN;
        if (valueSpans.isEmpty()) throw new ConfigError(at + "'valueSpans' is empty; list spans in tokens, e.g. [1, 4, 16], or set it null");
        if (new java.util.HashSet<>(valueSpans).size() < valueSpans.size()) {
            throw new ConfigError(at + "'valueSpans' lists a span twice: " + valueSpans);
        }
        for (Integer s : valueSpans) {
            if (s != null && (s < 1 || s > max)) {
                throw new ConfigError(at + "'valueSpans' entry " + s + " is outside 1-" + max + " tokens (null: the task's own value)");
            }
            if (s != null && maxNewTokens != null && s > maxNewTokens) {
                throw new ConfigError(at + "'valueSpans' entry " + s + " is longer than 'maxNewTokens' (" + maxNewTokens
                        + "), so no answer could be whole; raise maxNewTokens to ≥ " + s + " or set it null");
            }
        }
    }

    /** A ratio entry's options: the entry's own plus {@code ratio}. */
    static Map<String, String> ratioOptions(PolicySpec p, double ratio) {
        Map<String, String> o = new java.util.LinkedHashMap<>(p.options());
        o.put("ratio", Double.toString(ratio));
        return o;
    }

    static Map<String, String> options(PolicySpec p, int budget) {
        Map<String, String> o = new java.util.LinkedHashMap<>(p.options());
        if (!p.isFull()) o.put("budget", Integer.toString(budget));
        return o;
    }

    /** The sweep's KV-cache storage ({@code kvDtype}, f32 if absent): its FullKV reference is counted at it. */
    public KvCache.Dtype referenceKvDtype() {
        return kvDtype == null ? KvCache.Dtype.F32 : KvCache.Dtype.byId(kvDtype);
    }

    /** The KV-cache storage of {@code p}'s rows: its own {@code kvDtype}, else the sweep's. */
    public KvCache.Dtype kvDtypeOf(PolicySpec p) {
        return p.kvDtype() != null ? KvCache.Dtype.byId(p.kvDtype()) : referenceKvDtype();
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
