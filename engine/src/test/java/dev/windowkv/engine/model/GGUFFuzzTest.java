package dev.windowkv.engine.model;

import dev.windowkv.engine.Generator;
import dev.windowkv.engine.UserError;
import dev.windowkv.engine.backend.ScalarBackend;
import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.engine.kvcache.FullKvPolicy;
import dev.windowkv.engine.kvcache.TaskType;
import dev.windowkv.engine.testutil.GGUFLayout;
import dev.windowkv.engine.testutil.TinyModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Mutates two valid models a few hundred ways (truncations, bit flips in the header and in the
 * data, and targeted edits of counts, lengths, type ids, dimensions, offsets, alignment and
 * duplicated names) and holds every result to one rule: it either loads and generates a few tokens,
 * or is refused with a one-line {@link UserError}. Any other exception, a case slower than
 * {@link #CASE_SECONDS} or one that allocates more than {@link #CASE_BYTES} fails the test.
 *
 * <p>The cases are drawn from a fixed seed, so a failure reproduces; the counts by outcome (and
 * refusals bucketed by their message with names and numbers taken out) are printed.
 */
class GGUFFuzzTest {
    /** The shipped default model (8 layers, BPE vocabulary, Q8_0), read from the experiments module. */
    static final Path SHIPPED = Path.of("../experiments/models/windowkv-induction.gguf");
    static final long SEED = 20261201L;
    static final int CASE_SECONDS = 5;
    static final long CASE_BYTES = 300L << 20;

    @TempDir
    Path dir;

    /** One mutation: its description and the bytes it produces from the base file. */
    record Case(String base, String what, UnaryOperator<byte[]> mutate) {}

    @Test
    void everyMutationLoadsAndRunsOrIsRefusedInOneLine() throws Exception {
        assumeTrue(Files.isRegularFile(SHIPPED), "the shipped model is in the checkout");
        Path tinyPath = dir.resolve("tiny-base.gguf");
        // an explicit general.alignment, so that the field can be mutated too
        TinyModels.llama(tinyPath, GGMLType.Q8_0, 11, w -> w.alignment(32));
        byte[] tiny = Files.readAllBytes(tinyPath);
        byte[] shipped = Files.readAllBytes(SHIPPED);

        SplittableRandom rnd = new SplittableRandom(SEED);
        List<Case> cases = new ArrayList<>();
        cases.addAll(cases("tiny", tiny, rnd));
        cases.addAll(cases("shipped", shipped, rnd));

        Map<String, Integer> outcomes = new TreeMap<>();
        Map<String, Integer> refusals = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        Map<String, byte[]> bases = Map.of("tiny", tiny, "shipped", shipped);
        Path file = dir.resolve("fuzzed.gguf");
        long slowest = 0;
        long mostBytes = 0;
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "gguf-fuzz");
            t.setDaemon(true);
            return t;
        });
        try {
            for (int i = 0; i < cases.size(); i++) {
                Case c = cases.get(i);
                String name = "#" + i + " " + c.base() + ": " + c.what();
                Files.write(file, c.mutate().apply(bases.get(c.base()).clone()));
                long t0 = System.nanoTime();
                Future<Result> f = worker.submit(() -> runCase(file));
                Result r;
                try {
                    r = f.get(CASE_SECONDS, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    failures.add(name + ": took longer than " + CASE_SECONDS + " s");
                    break; // the worker is stuck; later cases cannot run
                }
                long ms = (System.nanoTime() - t0) / 1_000_000;
                slowest = Math.max(slowest, ms);
                mostBytes = Math.max(mostBytes, r.allocated);
                if (r.allocated > CASE_BYTES) failures.add(name + ": allocated " + (r.allocated >> 20) + " MB");
                if (r.error == null) {
                    outcomes.merge(c.base() + " loaded and ran", 1, Integer::sum);
                } else if (r.error instanceof UserError u && u.getMessage() != null && u.getMessage().lines().count() == 1
                        && !u.getMessage().isBlank()) {
                    outcomes.merge(c.base() + " refused" + (r.ran ? " at generation" : ""), 1, Integer::sum);
                    refusals.merge(bucket(u.getMessage(), file), 1, Integer::sum);
                } else {
                    failures.add(name + ": " + stackTrace(r.error));
                }
            }
        } finally {
            worker.shutdownNow();
        }

        StringBuilder report = new StringBuilder("GGUF fuzz: " + cases.size() + " cases (seed " + SEED + "), slowest "
                + slowest + " ms, most allocated " + (mostBytes >> 20) + " MB\n");
        outcomes.forEach((k, v) -> report.append(String.format("  %4d  %s%n", v, k)));
        report.append("refusals by reason:\n");
        refusals.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .forEach(e -> report.append(String.format("  %4d  %s%n", e.getValue(), e.getKey())));
        System.out.print(report);
        Files.writeString(Path.of("target", "gguf-fuzz-outcomes.txt"), report);

        assertTrue(failures.isEmpty(), failures.size() + " case(s) broke the rule:\n" + String.join("\n", failures.subList(0,
                Math.min(5, failures.size()))));
        int ran = outcomes.getOrDefault("tiny loaded and ran", 0) + outcomes.getOrDefault("shipped loaded and ran", 0);
        assertTrue(ran > 10, "harmless mutations (data bit flips, unused metadata) still load and run: " + outcomes);
        assertEquals(cases.size(), outcomes.values().stream().mapToInt(Integer::intValue).sum(), "every case has an outcome");
    }

    /** What one case did: the error it ended with (null when it loaded and ran), and bytes allocated. */
    record Result(Throwable error, boolean ran, long allocated) {}

    static Result runCase(Path file) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        Throwable error = null;
        boolean loaded = false;
        try (Model m = Model.load(file)) {
            loaded = true;
            int[] prompt = m.tokenizer().encode("hello world, the quick fox", true, false);
            new Generator(m, new ScalarBackend()).generate(prompt, Generator.Settings.greedy(3), new FullKvPolicy(),
                    TaskType.QA, t -> {});
        } catch (Throwable t) {
            error = t;
        }
        return new Result(error, loaded, mx.getCurrentThreadAllocatedBytes() - before);
    }

    /** The message with the file, quoted names and numbers taken out, so like refusals count together. */
    static String bucket(String message, Path file) {
        String m = message.replace(file.toString(), "FILE").replace(file.getFileName().toString(), "FILE");
        m = m.replaceAll("'[^'\\s]*'", "'…'").replaceAll("\\[[0-9, ]*]", "[…]")
                .replaceAll("(?<![A-Za-z_<])-?[0-9][0-9.eE+-]*", "N")
                .replaceAll("\\(re-download or re-convert the model\\)", "").trim();
        return m.length() > 110 ? m.substring(0, 110) + "…" : m;
    }

    static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        String s = w.toString();
        return s.length() > 1500 ? s.substring(0, 1500) : s;
    }

    // ---- the cases ----

    static List<Case> cases(String base, byte[] file, SplittableRandom rnd) {
        GGUFLayout l = new GGUFLayout(file);
        int header = l.headerEnd;
        int dataStart = (header + 31) / 32 * 32;
        List<Case> out = new ArrayList<>();

        // truncations: mostly inside the header, some in the data, and the last byte
        for (int i = 0; i < 30; i++) {
            int at = rnd.nextInt(header);
            out.add(new Case(base, "truncated at " + at, b -> Arrays.copyOf(b, at)));
        }
        for (int i = 0; i < 10; i++) {
            int at = dataStart + rnd.nextInt(file.length - dataStart);
            out.add(new Case(base, "truncated at " + at, b -> Arrays.copyOf(b, at)));
        }
        out.add(new Case(base, "last byte cut", b -> Arrays.copyOf(b, b.length - 1)));

        // bit flips: 1-3 in the header, then a few in the tensor data
        for (int i = 0; i < 110; i++) {
            int flips = 1 + rnd.nextInt(3);
            int[] at = new int[flips];
            int[] bit = new int[flips];
            for (int f = 0; f < flips; f++) {
                at[f] = rnd.nextInt(header);
                bit[f] = rnd.nextInt(8);
            }
            out.add(new Case(base, "header bits flipped at " + Arrays.toString(at), b -> {
                for (int f = 0; f < flips; f++) b[at[f]] ^= (byte) (1 << bit[f]);
                return b;
            }));
        }
        for (int i = 0; i < 12; i++) {
            int at = dataStart + rnd.nextInt(file.length - dataStart);
            int bit = rnd.nextInt(8);
            out.add(new Case(base, "data bit flipped at " + at, b -> {
                b[at] ^= (byte) (1 << bit);
                return b;
            }));
        }

        // header counts
        for (long v : new long[]{0, 1, -1, Long.MAX_VALUE, 1L << 32}) {
            out.add(new Case(base, "tensor count " + v, b -> put64(b, GGUFLayout.TENSOR_COUNT_AT, v)));
            out.add(new Case(base, "metadata count " + v, b -> put64(b, GGUFLayout.KV_COUNT_AT, v)));
        }
        long nTensors = l.tensors.size();
        out.add(new Case(base, "one tensor fewer", b -> put64(b, GGUFLayout.TENSOR_COUNT_AT, nTensors - 1)));
        out.add(new Case(base, "one metadata key fewer", b -> put64(b, GGUFLayout.KV_COUNT_AT, l.metadata.size() - 1)));

        List<GGUFLayout.Entry> entries = new ArrayList<>(l.metadata.values());
        // string and array lengths
        for (int i = 0; i < 10; i++) {
            GGUFLayout.Entry e = entries.get(rnd.nextInt(entries.size()));
            long v = pick(rnd, new long[]{-1, Long.MAX_VALUE, 1L << 31, 1L << 40, 0, 3});
            out.add(new Case(base, "key length of '" + e.key() + "' = " + v, b -> put64(b, e.keyAt(), v)));
        }
        for (GGUFLayout.Entry e : entries) {
            if (e.type() == 9) {
                for (long v : new long[]{-1, 1L << 40, 0, 1, count(file, e) - 1, count(file, e) + 1}) {
                    out.add(new Case(base, "array '" + e.key() + "' count " + v, b -> put64(b, e.valueAt() + 4, v)));
                }
                for (int t : new int[]{0, 6, 9, 10, 13}) {
                    out.add(new Case(base, "array '" + e.key() + "' element type " + t, b -> put32(b, e.valueAt(), t)));
                }
            }
        }
        // metadata value types and values
        for (int i = 0; i < 8; i++) {
            GGUFLayout.Entry e = entries.get(rnd.nextInt(entries.size()));
            int t = rnd.nextInt(14);
            out.add(new Case(base, "type of '" + e.key() + "' = " + t, b -> put32(b, e.typeAt(), t)));
        }
        for (GGUFLayout.Entry e : entries) {
            if (e.type() == 4 || e.type() == 5) {
                for (int v : new int[]{0, -1, Integer.MAX_VALUE, 1, 3}) {
                    out.add(new Case(base, "'" + e.key() + "' = " + Integer.toUnsignedString(v), b -> put32(b, e.valueAt(), v)));
                }
            } else if (e.type() == 6) {
                for (float v : new float[]{Float.NaN, Float.POSITIVE_INFINITY, 0f, -1f, 1e30f}) {
                    out.add(new Case(base, "'" + e.key() + "' = " + v, b -> put32(b, e.valueAt(), Float.floatToRawIntBits(v))));
                }
            }
        }
        // duplicated metadata keys: one key renamed to another of the same length
        List<int[]> samePairs = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            for (int j = i + 1; j < entries.size(); j++) {
                if (entries.get(i).key().length() == entries.get(j).key().length()) samePairs.add(new int[]{i, j});
            }
        }
        for (int k = 0; k < Math.min(4, samePairs.size()); k++) {
            int[] p = samePairs.get(rnd.nextInt(samePairs.size()));
            GGUFLayout.Entry from = entries.get(p[0]);
            GGUFLayout.Entry to = entries.get(p[1]);
            out.add(new Case(base, "key '" + to.key() + "' renamed '" + from.key() + "'", b -> {
                byte[] name = from.key().getBytes(StandardCharsets.UTF_8);
                System.arraycopy(name, 0, b, to.keyAt() + 8, name.length);
                return b;
            }));
        }

        // the tensor table
        List<GGUFLayout.TensorField> tensors = l.tensors;
        for (int i = 0; i < 12; i++) {
            GGUFLayout.TensorField t = tensors.get(rnd.nextInt(tensors.size()));
            int id = i < 8 ? rnd.nextInt(42) : pick32(rnd, new int[]{-1, 64, Integer.MAX_VALUE, 4});
            out.add(new Case(base, "type of '" + t.name() + "' = " + id, b -> put32(b, t.typeAt(), id)));
        }
        for (int i = 0; i < 12; i++) {
            GGUFLayout.TensorField t = tensors.get(rnd.nextInt(tensors.size()));
            int d = rnd.nextInt(t.dimAt().length);
            long v = pick(rnd, new long[]{0, 1, -1, 2, 1L << 40, 1L << 62, Long.MAX_VALUE, 32, 4096});
            out.add(new Case(base, "dim " + d + " of '" + t.name() + "' = " + v, b -> put64(b, t.dimAt()[d], v)));
        }
        for (int i = 0; i < 6; i++) {
            GGUFLayout.TensorField t = tensors.get(rnd.nextInt(tensors.size()));
            int n = pick32(rnd, new int[]{0, 3, 5, -1, 1});
            out.add(new Case(base, "dimension count of '" + t.name() + "' = " + n, b -> put32(b, t.nDimsAt(), n)));
        }
        for (int i = 0; i < 12; i++) {
            GGUFLayout.TensorField t = tensors.get(rnd.nextInt(tensors.size()));
            long delta = pick(rnd, new long[]{1, 32, -32, 1L << 40, Long.MIN_VALUE});
            out.add(new Case(base, "offset of '" + t.name() + "' + " + delta, b -> put64(b, t.offsetAt(),
                    GGUFLayout.getLong(b, t.offsetAt()) + delta)));
        }
        for (int i = 0; i < 3; i++) {
            GGUFLayout.TensorField t = tensors.get(1 + rnd.nextInt(tensors.size() - 1));
            out.add(new Case(base, "'" + t.name() + "' at offset 0", b -> put64(b, t.offsetAt(), 0)));
        }
        // duplicated tensor names: the same length in one block differs in one suffix
        for (int i = 0; i < 3; i++) {
            GGUFLayout.TensorField a = tensors.get(rnd.nextInt(tensors.size()));
            for (GGUFLayout.TensorField c : tensors) {
                if (c != a && c.name().length() == a.name().length()) {
                    out.add(new Case(base, "tensor '" + c.name() + "' renamed '" + a.name() + "'", b -> {
                        byte[] name = a.name().getBytes(StandardCharsets.UTF_8);
                        System.arraycopy(name, 0, b, c.nameAt() + 8, name.length);
                        return b;
                    }));
                    break;
                }
            }
        }
        // the alignment, where the file states it
        GGUFLayout.Entry align = l.metadata.get("general.alignment");
        if (align != null) {
            for (int a : new int[]{0, 1, 16, 64, 48, -1}) {
                out.add(new Case(base, "general.alignment = " + a, b -> put32(b, align.valueAt(), a)));
            }
        }
        return out;
    }

    static long count(byte[] file, GGUFLayout.Entry array) {
        return GGUFLayout.getLong(file, array.valueAt() + 4);
    }

    static long pick(SplittableRandom rnd, long[] values) {
        return values[rnd.nextInt(values.length)];
    }

    static int pick32(SplittableRandom rnd, int[] values) {
        return values[rnd.nextInt(values.length)];
    }

    static byte[] put64(byte[] b, int at, long v) {
        GGUFLayout.putLong(b, at, v);
        return b;
    }

    static byte[] put32(byte[] b, int at, int v) {
        GGUFLayout.putInt(b, at, v);
        return b;
    }
}
