package dev.windowkv.experiments.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import dev.windowkv.engine.UserError;
import dev.windowkv.plots.SweepRow;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Joins the result files of a sweep's shards, refusing anything that would make the merged file
 * say more than was measured: files of different configs, an empty file, a shard given twice, a
 * missing or unfinished shard (unless {@code partial}), and two different results for one row.
 * Rows of other configs that sit in a shard's file (a folder reused after a config change) are
 * left out and counted.
 */
public final class ShardMerge {
    private static final Pattern SHARD = Pattern.compile("results\\.shard(\\d+)of(\\d+)\\.jsonl");

    /** The merged rows, the config they share, and what was noticed on the way. */
    public record Result(SweepConfig config, List<SweepRow> rows, int duplicates, long otherConfig, long missing) {}

    private ShardMerge() {}

    public static Result merge(List<Path> inputs, boolean partial) {
        if (inputs.isEmpty()) throw new UserError("merge needs the shard files to join");
        Map<Path, List<SweepRow>> files = new LinkedHashMap<>();
        for (Path in : inputs) {
            List<SweepRow> read = ResultsFile.read(in);
            if (read.isEmpty()) throw new UserError(in + " holds no rows; merge joins finished shards (run that shard first)");
            files.putIfAbsent(in, read);
        }
        SweepConfig config = sharedConfig(inputs);
        Map<Integer, Path> shards = shardsOf(inputs);
        int count = shards.isEmpty() ? 1 : countOf(inputs.getFirst());

        Map<String, SweepRow> rows = new LinkedHashMap<>();
        Map<String, Path> from = new LinkedHashMap<>();
        int duplicates = 0;
        long other = 0;
        long missing = 0;
        List<String> unfinished = new ArrayList<>();
        for (Path in : inputs) {
            List<SweepRow> read = files.get(in);
            Shard shard = shards.isEmpty() ? Shard.ALL : shardOf(in);
            Set<String> wanted = new SweepRunner(config, shard, ProgressLog.Mode.quiet()).myIds();
            int mine = 0;
            for (SweepRow r : read) {
                String key = ResultsFile.key(r);
                if (!wanted.contains(key)) {
                    other++;
                    continue;
                }
                mine++;
                SweepRow seen = rows.get(key);
                if (seen == null) {
                    rows.put(key, r);
                    from.put(key, in);
                } else if (sameResult(seen, r)) {
                    duplicates++;
                } else {
                    throw new UserError("row " + key + " (" + r.task() + ", " + r.label() + ", budget " + r.budgetOrZero()
                            + ") has different results in " + from.get(key) + " and " + in + "; merge refuses a conflict");
                }
            }
            if (mine == 0) throw new UserError(in + " has no row of the configuration in its folder's config.json; "
                    + "it is not a shard of this sweep");
            long gap = wanted.stream().filter(id -> !rows.containsKey(id)).count();
            if (gap > 0) {
                missing += gap;
                unfinished.add(in.getFileName() + " lacks " + gap + " of " + wanted.size() + " rows");
            }
        }
        List<String> absent = new ArrayList<>();
        if (!shards.isEmpty()) {
            for (int i = 1; i <= count; i++) if (!shards.containsKey(i)) absent.add(i + "/" + count);
        }
        if (!partial && (!absent.isEmpty() || !unfinished.isEmpty())) {
            List<String> what = new ArrayList<>();
            if (!absent.isEmpty()) what.add("shard" + (absent.size() > 1 ? "s " : " ") + String.join(", ", absent) + " not given");
            what.addAll(unfinished);
            throw new UserError("the merge would be incomplete: " + String.join("; ", what)
                    + "; finish or add those shards, or pass --partial to merge what there is");
        }
        if (!absent.isEmpty()) {
            for (int i = 1; i <= count; i++) {
                if (!shards.containsKey(i)) missing += new SweepRunner(config, new Shard(i, count), ProgressLog.Mode.quiet()).myIds().size();
            }
        }
        return new Result(config, new ArrayList<>(rows.values()), duplicates, other, missing);
    }

    /** Two copies of one row agree when everything but the timings does. */
    static boolean sameResult(SweepRow a, SweepRow b) {
        return a.score() == b.score() && Objects.equals(a.output(), b.output())
                && Arrays.equals(a.tokensKeptPerLayer(), b.tokensKeptPerLayer()) && a.kvBytes() == b.kvBytes();
    }

    /** The config beside every input; all must ask for the same rows. */
    private static SweepConfig sharedConfig(List<Path> inputs) {
        SweepConfig first = null;
        Path firstDir = null;
        Set<String> firstIds = null;
        for (Path in : inputs) {
            if (!Files.isRegularFile(in)) throw new UserError("results file not found: " + in);
            Path dir = in.toAbsolutePath().getParent();
            SweepConfig c = SweepFolder.readConfig(dir);
            if (c == null) throw new UserError(in + " has no config.json beside it; merge joins the shard files that sweeps "
                    + "left in their folders (the config says which rows belong)");
            if (first == null) {
                first = c;
                firstDir = dir;
                continue;
            }
            if (dir.equals(firstDir)) continue;
            if (firstIds == null) firstIds = new SweepRunner(first, Shard.ALL, ProgressLog.Mode.quiet()).plan().ids();
            Set<String> ids = new SweepRunner(c, Shard.ALL, ProgressLog.Mode.quiet()).plan().ids();
            if (!ids.equals(firstIds)) {
                throw new UserError(in + " belongs to another configuration than " + inputs.getFirst() + " (config.json differs in "
                        + differingKeys(first, c) + "); merge only the shards of one sweep");
            }
        }
        return first;
    }

    static String differingKeys(SweepConfig a, SweepConfig b) {
        JsonNode x = SweepConfig.JSON.valueToTree(a);
        JsonNode y = SweepConfig.JSON.valueToTree(b);
        Set<String> keys = new TreeSet<>();
        for (Iterator<String> it = x.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!Objects.equals(x.get(k), y.get(k))) keys.add(k);
        }
        return keys.isEmpty() ? "the models' content" : String.join(", ", keys);
    }

    /** Shard index → file, for inputs named {@code results.shard<i>of<N>.jsonl}; empty when none is. */
    private static Map<Integer, Path> shardsOf(List<Path> inputs) {
        Map<Integer, Path> shards = new LinkedHashMap<>();
        boolean any = inputs.stream().anyMatch(p -> SHARD.matcher(p.getFileName().toString()).matches());
        if (!any) {
            if (inputs.size() > 1) {
                throw new UserError("merge joins shard files (results.shard<i>of<N>.jsonl); got " + inputs.size()
                        + " files that are not shards");
            }
            return shards;
        }
        int count = -1;
        for (Path in : inputs) {
            Matcher m = SHARD.matcher(in.getFileName().toString());
            if (!m.matches()) throw new UserError(in + " is not a shard file (results.shard<i>of<N>.jsonl); merge shards of one sweep");
            int i = Integer.parseInt(m.group(1));
            int n = Integer.parseInt(m.group(2));
            if (count >= 0 && n != count) throw new UserError(in + " is a shard of " + n + ", the others of " + count + "; merge shards of one split");
            count = n;
            Path dup = shards.put(i, in);
            if (dup != null) throw new UserError("shard " + i + "/" + n + " is given twice (" + dup + " and " + in + ")");
        }
        return shards;
    }

    private static Shard shardOf(Path in) {
        Matcher m = SHARD.matcher(in.getFileName().toString());
        if (!m.matches()) throw new IllegalStateException("checked in shardsOf");
        return new Shard(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }

    private static int countOf(Path in) {
        return shardOf(in).count();
    }
}
