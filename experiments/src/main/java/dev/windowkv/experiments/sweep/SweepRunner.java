package dev.windowkv.experiments.sweep;

import dev.windowkv.engine.Generator;
import dev.windowkv.engine.backend.Backend;
import dev.windowkv.engine.backend.Backends;
import dev.windowkv.engine.kvcache.KvCache;
import dev.windowkv.engine.model.Model;
import dev.windowkv.engine.model.ModelConfig;
import dev.windowkv.engine.model.PrefillCapture;
import dev.windowkv.engine.sampling.Sampler;
import dev.windowkv.experiments.bench.ProcessMemory;
import dev.windowkv.experiments.cli.DefaultModel;
import dev.windowkv.engine.kvcache.TaskType;
import dev.windowkv.engine.tokenizer.Tokenizer;
import dev.windowkv.experiments.classifier.OracleTaskClassifier;
import dev.windowkv.experiments.classifier.PromptTaskClassifier;
import dev.windowkv.experiments.classifier.TaskClassifier;
import dev.windowkv.experiments.longbench.LongBenchDataset;
import dev.windowkv.experiments.longbench.LongBenchLoader;
import dev.windowkv.experiments.longbench.LongBenchPrompt;
import dev.windowkv.experiments.longbench.LongBenchSample;
import dev.windowkv.experiments.longbench.LongBenchScorer;
import dev.windowkv.experiments.tasks.Haystack;
import dev.windowkv.experiments.tasks.SampleSpec;
import dev.windowkv.experiments.tasks.Task;
import dev.windowkv.experiments.tasks.TaskSample;
import dev.windowkv.experiments.tasks.TaskSuite;
import dev.windowkv.plots.SweepRow;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Runs a sweep: every cell (model × task × length × depth × sample) is prefilled once, then
 * compressed and decoded under every policy variant and budget. Rows whose identity ({@link
 * SweepPlan#id}) is already in the results file are skipped, so running the same command again
 * resumes, and a changed setting makes new rows instead of reusing old ones.
 */
public final class SweepRunner {
    private final SweepConfig config;
    private final SweepPlan plan;
    private final Shard shard;
    private final ProgressLog.Mode progress;

    public SweepRunner(SweepConfig config, Shard shard, boolean progress) {
        this(config, shard, progress ? ProgressLog.Mode.BAR : ProgressLog.Mode.quiet());
    }

    public SweepRunner(SweepConfig config, Shard shard, ProgressLog.Mode progress) {
        this.config = config;
        this.plan = new SweepPlan(config, d -> longBench(d).size());
        this.shard = shard;
        this.progress = progress;
    }

    public SweepPlan plan() {
        return plan;
    }

    public List<Cell> cells() {
        return plan.cells();
    }

    /** The cells this shard runs. */
    List<Cell> myCells() {
        List<Cell> all = plan.cells();
        List<Cell> mine = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) if (shard.owns(i)) mine.add(all.get(i));
        return mine;
    }

    /** The identities of the rows this shard is to hold. */
    public java.util.Set<String> myIds() {
        java.util.Set<String> ids = new java.util.LinkedHashSet<>();
        for (Cell c : myCells()) for (SweepPlan.Run r : plan.runs()) ids.add(plan.id(c, r));
        return ids;
    }

    /** Runs what is missing from {@code results} and returns how many rows it added. */
    public int run(ResultsFile results) {
        List<Cell> mine = myCells();
        List<SweepPlan.Run> runs = plan.runs();
        long total = (long) mine.size() * runs.size();
        long done = 0;
        for (Cell c : mine) for (SweepPlan.Run r : runs) if (results.has(plan.id(c, r))) done++;
        int added = 0;
        int threads = config.threads() != null ? config.threads() : Backends.defaultThreads();
        Haystack haystack = config.haystack() != null ? Haystack.byName(config.haystack()) : Haystack.values()[0];
        try (ProgressLog log = new ProgressLog(config.name(), total, done, progress);
             Backend backend = Backends.create(config.backend(), threads)) {
            String currentModel = null;
            Model model = null;
            try {
                for (Cell cell : mine) {
                    List<SweepPlan.Run> todo = new ArrayList<>();
                    for (SweepPlan.Run r : runs) if (!results.has(plan.id(cell, r))) todo.add(r);
                    if (todo.isEmpty()) continue;
                    if (!cell.model().equals(currentModel)) {
                        if (model != null) model.close();
                        model = null;
                        model = Model.load(modelPath(cell.model()));
                        currentModel = cell.model();
                    }
                    Prompt prompt = prompt(cell, model, haystack);
                    TaskType label = classifier().classify(cell.task(), prompt.text());
                    Generator gen = new Generator(model, backend);
                    List<dev.windowkv.engine.kvcache.KvPolicy> policies = todo.stream().map(SweepPlan.Run::policy).toList();
                    // Each row's peak resident set counts from its prompt's prefill on.
                    ProcessMemory.resetPeak();
                    // One cache type for every run: a device backend may keep the prompt's keys and values there.
                    java.util.Set<dev.windowkv.engine.kvcache.KvCache.Dtype> dtypes = new java.util.HashSet<>();
                    for (SweepPlan.Run r : todo) dtypes.add(config.kvDtypeOf(r.spec()));
                    try (PrefillCapture capture = gen.capture(prompt.tokens(), policies, label, prompt.maxNewTokens(),
                            dtypes.size() == 1 ? dtypes.iterator().next() : null)) {
                        for (SweepPlan.Run r : todo) {
                            Generator.Settings settings = new Generator.Settings(prompt.maxNewTokens(), Sampler.greedy(),
                                    config.kvDtypeOf(r.spec()), false);
                            Generator.Result res = gen.generate(capture, prompt.tokens(), settings, r.policy(), label, null);
                            double score = prompt.score().applyAsDouble(res.text());
                            results.append(row(cell, prompt, r, res, score, backend, model.config(), model.tokenizer()));
                            added++;
                            log.step();
                        }
                    }
                }
            } finally {
                if (model != null) model.close();
            }
        }
        return added;
    }

    /** A cell's prompt, from the synthetic suite or from LongBench, with how to score an answer. */
    record Prompt(String text, int[] tokens, TaskType type, List<String> expected, int maxNewTokens,
                  ToDoubleFunction<String> score, boolean synthetic, Integer valueSpan) {
        /**
         * The length a row reports: a synthetic cell's nominal length (its prompt is within ±2% of
         * it), so rows of one cell line up in tables and heatmaps; a LongBench prompt's actual length.
         */
        int reportedLength(Cell cell) {
            return synthetic ? cell.length() : tokens.length;
        }
    }

    private Prompt prompt(Cell cell, Model model, Haystack haystack) {
        Tokenizer tok = model.tokenizer();
        if (LongBenchDataset.isKnown(cell.task()) && config.longbench() != null) {
            LongBenchDataset ds = LongBenchDataset.named(cell.task());
            LongBenchSample sample = longBench(cell.task()).get(cell.sample());
            int[] ids = LongBenchPrompt.ids(ds, sample, tok, config.longbench().maxInputTokens());
            int maxNew = plan.maxNewTokens(cell.task());
            return new Prompt(LongBenchPrompt.text(ds, sample), ids, ds.taskType(), sample.answers(), maxNew,
                    out -> LongBenchScorer.scoreSample(ds, out, sample), false, null);
        }
        Task task = TaskSuite.byName(cell.task());
        TaskSample sample = task.generate(tok,
                new SampleSpec(cell.length(), cell.depth() == null ? 0.0 : cell.depth(), cell.seed(), haystack,
                        cell.valueSpan()));
        int[] tokens = tok.encode(sample.prompt(), true, false);
        int maxNew = plan.maxNewTokens(cell.task());
        return new Prompt(sample.prompt(), tokens, sample.type(), sample.expected(), maxNew,
                out -> task.score(out, sample.expected()), true, sample.valueSpan());
    }

    private final Map<String, List<LongBenchSample>> longBenchData = new java.util.HashMap<>();

    private List<LongBenchSample> longBench(String dataset) {
        return longBenchData.computeIfAbsent(dataset, d -> {
            Path folder = Path.of(config.longbench().data());
            Path file = folder.resolve(d + ".jsonl");
            if (!java.nio.file.Files.exists(file)) {
                throw new ConfigError("LongBench file " + file + " not found; 'longbench.data' must be the folder of "
                        + "LongBench's data/<dataset>.jsonl files");
            }
            return LongBenchLoader.loadFile(file);
        });
    }

    private TaskClassifier classifier;

    private TaskClassifier classifier() {
        if (classifier == null) {
            classifier = "learned".equals(config.classifier()) ? PromptTaskClassifier.shipped() : new OracleTaskClassifier();
        }
        return classifier;
    }

    private SweepRow row(Cell cell, Prompt prompt, SweepPlan.Run r, Generator.Result res, double score, Backend backend,
                         ModelConfig mc, Tokenizer tok) {
        // FullKV at the sweep's dtype, not the row's: a Q4_0 row then shows its saving on the % axis too.
        long fullKvBytes = KvCache.fullBytes(mc.nLayers(), mc.nKvHeads(), mc.headDim(), prompt.tokens().length,
                config.referenceKvDtype());
        Integer budget = r.budgetFor(prompt.tokens().length);
        boolean map = KeptTokenMapFields.wanted(config, cell, budget);
        int[] needle = map && cell.depth() != null && !prompt.expected().isEmpty()
                ? KeptTokenMapFields.needleSpan(tok, prompt.tokens(), prompt.expected().getFirst()) : null;
        return new SweepRow(cell.model(), backend.name(), r.spec().policy(), r.spec().displayLabel(),
                r.options(), budget, cell.task(),
                prompt.type().name(), prompt.reportedLength(cell), cell.depth(), cell.seed(), cell.sample(), score,
                res.tokensKeptPerLayer(), res.kvBytes(), fullKvBytes, res.kvBytes() / (double) fullKvBytes,
                res.prefillMillis(), res.compressMillis(), res.decodeMillis(), res.tokens().length, res.text(),
                prompt.expected(), plan.id(cell, r), config.kvDtypeOf(r.spec()).id, res.tokensKeptPerHead(),
                map ? KeptTokenMapFields.ranges(res.keptPromptPositions()) : null, needle, prompt.valueSpan(), peakRss());
    }

    /** VmHWM since the prompt's prefill; null where /proc is not there. */
    private static Long peakRss() {
        long peak = ProcessMemory.peakResidentBytes();
        return peak > 0 ? peak : null;
    }

    public static Path modelPath(String model) {
        return "default".equals(model) ? DefaultModel.path() : Path.of(model);
    }
}
