package dev.windowkv.experiments.longbench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads LongBench's JSONL files (one JSON object per line), as distributed in LongBench's
 * {@code data.zip} or written from the Hugging Face {@code THUDM/LongBench} dataset: a folder of
 * {@code {dataset}.jsonl} files, or single files.
 */
public final class LongBenchLoader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private LongBenchLoader() {
    }

    /** Reads {@code folder/{dataset}.jsonl} for each named dataset, in the order given. */
    public static Map<String, List<LongBenchSample>> loadFolder(Path folder, Collection<String> datasets) {
        if (!Files.isDirectory(folder)) {
            throw new LongBenchFileError("LongBench folder " + folder + " does not exist; point --data at the folder holding {dataset}.jsonl files");
        }
        Map<String, List<LongBenchSample>> byDataset = new LinkedHashMap<>();
        for (String dataset : datasets) {
            Path file = folder.resolve(dataset + ".jsonl");
            if (!Files.isRegularFile(file)) {
                throw new LongBenchFileError("LongBench file " + file + " is missing; download LongBench's data and unzip it into " + folder);
            }
            byDataset.put(dataset, loadFile(file));
        }
        return byDataset;
    }

    /** Reads every {@code *.jsonl} file in the folder, keyed by file name without the extension, sorted by name. */
    public static Map<String, List<LongBenchSample>> loadFolder(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new LongBenchFileError("LongBench folder " + folder + " does not exist; point --data at the folder holding {dataset}.jsonl files");
        }
        List<String> names = new ArrayList<>();
        try (var files = Files.list(folder)) {
            files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".jsonl"))
                    .sorted()
                    .forEach(n -> names.add(n.substring(0, n.length() - ".jsonl".length())));
        } catch (IOException e) {
            throw new LongBenchFileError("cannot list LongBench folder " + folder + ": " + e.getMessage());
        }
        if (names.isEmpty()) {
            throw new LongBenchFileError("LongBench folder " + folder + " has no .jsonl files; unzip LongBench's data.zip there");
        }
        return loadFolder(folder, names);
    }

    /**
     * Reads one JSONL file. A missing {@code dataset} field is taken from the file name, as
     * LongBench's own scripts name files after datasets.
     */
    public static List<LongBenchSample> loadFile(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new LongBenchFileError("cannot read LongBench file " + file + ": " + e.getMessage());
        }
        String fileName = file.getFileName().toString();
        String defaultDataset = fileName.endsWith(".jsonl") ? fileName.substring(0, fileName.length() - 6) : fileName;
        List<LongBenchSample> samples = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            samples.add(parseLine(file, i + 1, line, defaultDataset));
        }
        if (samples.isEmpty()) {
            throw new LongBenchFileError("LongBench file " + file + " is empty (line 1): expected one JSON sample per line");
        }
        return samples;
    }

    private static LongBenchSample parseLine(Path file, int lineNumber, String line, String defaultDataset) {
        String where = "LongBench file " + file + " line " + lineNumber;
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (IOException e) {
            throw new LongBenchFileError(where + " is not valid JSON: " + firstLine(e.getMessage()));
        }
        if (node == null || !node.isObject()) {
            throw new LongBenchFileError(where + " is not a JSON object");
        }
        String context = requiredText(node, "context", where);
        List<String> answers = stringList(node, "answers", where);
        if (answers.isEmpty()) {
            throw new LongBenchFileError(where + " has no \"answers\"; every LongBench sample needs at least one reference answer");
        }
        return new LongBenchSample(
                node.path("input").asText(""),
                context,
                answers,
                node.hasNonNull("all_classes") ? stringList(node, "all_classes", where) : List.of(),
                node.path("length").asInt(0),
                node.hasNonNull("dataset") ? node.get("dataset").asText() : defaultDataset,
                node.path("_id").asText(""),
                node.path("language").asText(""));
    }

    private static String requiredText(JsonNode node, String field, String where) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new LongBenchFileError(where + " has no text field \"" + field + "\"");
        }
        return value.asText();
    }

    private static List<String> stringList(JsonNode node, String field, String where) {
        JsonNode value = node.get(field);
        if (value == null || !value.isArray()) {
            throw new LongBenchFileError(where + " has no list field \"" + field + "\"");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : value) {
            out.add(item.asText());
        }
        return out;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "parse error";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
