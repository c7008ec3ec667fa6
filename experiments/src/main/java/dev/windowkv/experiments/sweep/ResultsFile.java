package dev.windowkv.experiments.sweep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.windowkv.engine.UserError;
import dev.windowkv.plots.SweepRow;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A sweep's results, one JSON line per sample, appended and synced to disk as each sample finishes.
 * A run killed at any moment leaves at most a half-written last line, which the next open cuts off:
 * so a resumed sweep loses at most the row that was in flight.
 *
 * <p>One writer at a time: {@link #open} takes an OS lock on a file beside the results
 * ({@code .results.jsonl.lock}), held until {@link #close}, so a second sweep into the same folder
 * refuses instead of writing every row twice. The OS drops the lock when a process dies, so a killed
 * sweep never leaves a stale lock behind. Shards write their own files, so they run side by side.
 */
public final class ResultsFile implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;
    private final Map<String, SweepRow> rows = new LinkedHashMap<>();
    private FileOutputStream out;
    private FileChannel lockChannel;
    private FileLock lock;

    private ResultsFile(Path path) {
        this.path = path;
    }

    /** Opens (creating if needed) for appending, after reading every complete row already there. */
    public static ResultsFile open(Path path) {
        ResultsFile f = new ResultsFile(path);
        try {
            Files.createDirectories(path.toAbsolutePath().getParent());
            f.lock();
            if (Files.exists(path)) f.readAndRepair();
            f.out = new FileOutputStream(path.toFile(), true);
        } catch (IOException e) {
            f.close();
            throw new UncheckedIOException("cannot open results file " + path, e);
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
        return f;
    }

    /** Reads a finished results file (merge, plot): every line must be a whole row. */
    public static List<SweepRow> read(Path path) {
        if (!Files.exists(path)) throw new UserError("results file not found: " + path);
        List<SweepRow> out = new ArrayList<>();
        try {
            List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).isBlank()) continue;
                try {
                    out.add(JSON.readValue(lines.get(i), SweepRow.class));
                } catch (JsonProcessingException e) {
                    throw new UserError(path + " line " + (i + 1) + " is not a result row (" + e.getOriginalMessage()
                            + "); the file is corrupt — delete that line or re-run the sweep");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
        return out;
    }

    private void lock() throws IOException {
        Path lockFile = path.toAbsolutePath().resolveSibling("." + path.getFileName() + ".lock");
        lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by this JVM
        }
        if (lock == null) {
            throw new ResultsInUseError(path.toAbsolutePath().getParent() + " is being written by another sweep (lock "
                    + lockFile.getFileName() + " held); wait for it to finish, or give this one another --out");
        }
    }

    private void readAndRepair() throws IOException {
        byte[] all = Files.readAllBytes(path);
        int lineStart = 0;
        long goodEnd = 0;
        int lineNo = 0;
        for (int i = 0; i < all.length; i++) {
            if (all[i] != '\n') continue;
            lineNo++;
            String line = new String(all, lineStart, i - lineStart, StandardCharsets.UTF_8);
            if (!line.isBlank()) {
                try {
                    SweepRow r = JSON.readValue(line, SweepRow.class);
                    rows.put(key(r), r);
                } catch (JsonProcessingException e) {
                    throw new UserError(path + " line " + lineNo + " is not a result row (" + e.getOriginalMessage()
                            + "); the file is corrupt — delete that line, or the file, and run again");
                }
            }
            lineStart = i + 1;
            goodEnd = i + 1;
        }
        if (goodEnd < all.length) {
            // A run was killed while writing its last row: drop the partial line; that row reruns.
            try (RandomAccessFile raf = new RandomAccessFile(path.toFile(), "rw")) {
                raf.setLength(goodEnd);
            }
        }
    }

    /**
     * A row's key: its identity ({@link SweepPlan#id}). Rows written before rows carried one have
     * none; they get a key no plan asks for, so they are kept but never reused or reported.
     */
    public static String key(SweepRow r) {
        if (r.id() != null) return r.id();
        return "no-identity|" + r.model() + "|" + r.task() + "|" + r.depth() + "|" + r.sample() + "|" + r.seed() + "|"
                + r.label() + "|" + r.budgetOrZero();
    }

    /** Whether a row with this identity is in the file. */
    public boolean has(String id) {
        return rows.containsKey(id);
    }

    public List<SweepRow> rows() {
        return new ArrayList<>(rows.values());
    }

    public void append(SweepRow row) {
        try {
            byte[] line = (JSON.writeValueAsString(row) + "\n").getBytes(StandardCharsets.UTF_8);
            out.write(line);
            out.flush();
            out.getFD().sync();
            rows.put(key(row), row);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to " + path, e);
        }
    }

    public Path path() {
        return path;
    }

    @Override
    public void close() {
        try {
            if (out != null) out.close();
            out = null;
            if (lock != null) lock.release();
            lock = null;
            if (lockChannel != null) lockChannel.close();
            lockChannel = null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
