package dev.windowkv.experiments.sweep;

import dev.windowkv.engine.UserError;
import dev.windowkv.plots.Plots;
import dev.windowkv.plots.SweepRow;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A sweep's results folder: {@code config.json} (the config whose rows are reported), the results
 * file(s), and what the report draws. A folder can hold rows of an earlier config; they are kept,
 * and so is that config, renamed {@code config.json.replaced-<time>}.
 */
public final class SweepFolder {
    private SweepFolder() {}

    public static Path configFile(Path dir) {
        return dir.resolve(Plots.SWEEP_CONFIG);
    }

    /** Writes {@code config.json}; a different one already there is kept under another name. */
    public static void writeConfig(Path dir, SweepConfig c) {
        Path file = configFile(dir);
        String json = c.toJson();
        try {
            Files.createDirectories(dir);
            if (Files.isRegularFile(file)) {
                String old = Files.readString(file);
                if (old.equals(json)) return;
                String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
                Files.move(file, dir.resolve(Plots.SWEEP_CONFIG + ".replaced-" + stamp), StandardCopyOption.REPLACE_EXISTING);
            }
            Path tmp = Files.createTempFile(dir, ".config", ".tmp");
            Files.writeString(tmp, json);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** The config a folder's rows were made with, or null when the folder has none. */
    public static SweepConfig readConfig(Path dir) {
        Path file = configFile(dir);
        if (!Files.isRegularFile(file)) return null;
        return SweepConfig.load(file, List.of());
    }

    /**
     * The rows of a folder's config: every {@code *.jsonl} read (results and shards), each identity
     * once, and only the identities the config asks for.
     *
     * @param skipped set to the number of rows of other configurations left out
     */
    public static List<SweepRow> rowsOf(Path dir, SweepPlan plan, long[] skipped) {
        Set<String> ids = plan.ids();
        List<SweepRow> all = allRows(dir);
        List<SweepRow> mine = all.stream().filter(r -> ids.contains(ResultsFile.key(r))).toList();
        if (skipped != null) skipped[0] = all.size() - mine.size();
        return new ArrayList<>(mine);
    }

    /** Every row of every {@code *.jsonl} in the folder, each identity once. */
    public static List<SweepRow> allRows(Path dir) {
        Map<String, SweepRow> rows = new LinkedHashMap<>();
        for (Path f : jsonlFiles(dir)) for (SweepRow r : ResultsFile.read(f)) rows.putIfAbsent(ResultsFile.key(r), r);
        return new ArrayList<>(rows.values());
    }

    static List<Path> jsonlFiles(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".jsonl")).sorted().toList();
        } catch (IOException e) {
            throw new UserError("cannot list " + dir + ": " + e.getMessage());
        }
    }
}
