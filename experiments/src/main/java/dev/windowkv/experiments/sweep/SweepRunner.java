package dev.windowkv.experiments.sweep;

import dev.windowkv.engine.Generator;
import dev.windowkv.engine.backend.Backend;
import dev.windowkv.engine.backend.Backends;
import dev.windowkv.engine.kvcache.KvCache;
import dev.windowkv.engine.kvcache.KvPolicy;
import dev.windowkv.engine.kvcache.Policies;
import dev.windowkv.engine.model.Model;
import dev.windowkv.engine.model.PrefillCapture;
import dev.windowkv.engine.sampling.Sampler;
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
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Runs a sweep: every cell (model × task × length × depth × sample) is prefilled once, then
 * compressed and decoded under every policy variant and budget. Rows already in the results file
 * are skipped, so running the same command again resumes.
 */
public final class SweepRunner {
    /** One policy variant at one budget, as a result row names it. */
    record Run(PolicySpec spec, Integer budget, KvPolicy policy) {}

    private final SweepConfig config;
    private final Shard shard;
    private final boolean progress;

    public SweepRunner(SweepConfig config, Shard shard, boolean progress) {
        this.config = config;
        this.shard = shard;
        this.progress = progress;
    }

    public List<Cell> cells() {
        List<Cell> cells = new ArrayList<>();
        for (String model : config.models()) {
            if (config.longbench() != null) {
                SweepConfig.LongBenchSpec lb = config.longbench();
                for (String dataset : lb.datasets()) {
                    int count = longBench(dataset).size();
                    if (lb.samplesPerDataset() != null) count = Math.min(count, lb.samplesPerDataset());
                    for (int s = 0; s < count; s++) cells.add(Cell.of(model, dataset, lb.maxInputTokens(), null, s, config.seed()));
                }
            }
            for (String taskName : config.tasks() == null ? List.<String>of() : config.tasks()) {
                boolean needle = !TaskSuite.byName(taskName).type().name().equals("AGGREGATION");
                List<Integer> spans = config.valueSpans() != null && TaskSuite.byName(taskName).takesValueSpan()
                        ? config.valueSpans() : java.util.Collections.singletonList((Integer) null);
                for (int length : config.lengths()) {
                    List<Double> depths = needle ? config.depths() : java.util.Collections.singletonList((Double) null);
                    for (Double depth : depths) {
                        for (Integer span : spans) {
                            for (int s = 0; s < config.samples(); s++) {
                                cells.add(Cell.of(model, taskName, length, depth, span, s, config.seed()));
                            }
                        }
                    }
                }
            }
        }
        return cells;
    }

    List<Run> runs() {
        List<Run> runs = new ArrayList<>();
        for (PolicySpec p : config.policies()) {
            if (p.isFull()) {
                runs.add(new Run(p, null, Policies.create("full", Map.of())));
            } else {
                for (int b : p.budgets()) runs.add(new Run(p, b, Policies.create(p.policy(), SweepConfig.options(p, b))));
            }
        }
        return runs;
    }

    /** Runs what is missing from {@code results} and returns how many rows it added. */
    public int run(ResultsFile results) {
        List<Cell> all = cells();
        List<Cell> mine = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) if (shard.owns(i)) mine.add(all.get(i));
        List<Run> runs = runs();
        long total = (long) mine.size() * runs.size();
        long done = 0;
        for (Cell c : mine) for (Run r : runs) if (results.has(c.rowKey(r.spec().displayLabel(), r.budget()))) done++;
        int added = 0;
        int threads = config.threads() != null ? config.threads() : Backends.defaultThreads();
        Haystack haystack = config.haystack() != null ? Haystack.byName(config.haystack()) : Haystack.values()[0];
        KvCache.Dtype dtype = "f16".equals(config.kvDtype()) ? KvCache.Dtype.F16 : KvCache.Dtype.F32;
        try (ProgressBar bar = progress ? new ProgressBarBuilder().setTaskName(config.name()).setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(1000).setMaxRenderedLength(100)
                .continuousUpdate().build() : null;
             Backend backend = Backends.create(config.backend(), threads)) {
            if (bar != null) bar.stepTo(done);
            String currentModel = null;
            Model model = null;
            try {
                for (Cell cell : mine) {
                    List<Run> todo = new ArrayList<>();
                    for (Run r : runs) if (!results.has(cell.rowKey(r.spec().displayLabel(), r.budget()))) todo.add(r);
                    if (todo.isEmpty()) continue;
                    if (!cell.model().equals(currentModel)) {
                        if (model != null) model.close();
                        model = Model.load(modelPath(cell.model()));
                        currentModel = cell.model();
                    }
                    Prompt prompt = prompt(cell, model, haystack);
                    TaskType label = classifier().classify(cell.task(), prompt.text());
                    Generator gen = new Generator(model, backend);
                    PrefillCapture capture = gen.capture(prompt.tokens());
                    Generator.Settings settings = new Generator.Settings(prompt.maxNewTokens(), Sampler.greedy(), dtype, false);
                    for (Run r : todo) {
                        Generator.Result res = gen.generate(capture, prompt.tokens(), settings, r.policy(), label, null);
                        double score = prompt.score().applyAsDouble(res.text());
                        results.append(row(cell, prompt, r, res, score, backend));
                        added++;
                        if (bar != null) bar.step();
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
            int maxNew = config.maxNewTokens() != null ? config.maxNewTokens() : ds.maxNewTokens();
            return new Prompt(LongBenchPrompt.text(ds, sample), ids, ds.taskType(), sample.answers(), maxNew,
                    out -> LongBenchScorer.scoreSample(ds, out, sample), false, null);
        }
        Task task = TaskSuite.byName(cell.task());
        TaskSample sample = task.generate(tok,
                new SampleSpec(cell.length(), cell.depth() == null ? 0.0 : cell.depth(), cell.seed(), haystack,
                        cell.valueSpan()));
        int[] tokens = tok.encode(sample.prompt(), true, false);
        int maxNew = config.maxNewTokens() != null ? config.maxNewTokens() : sample.maxNewTokens();
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

    private SweepRow row(Cell cell, Prompt prompt, Run r, Generator.Result res, double score, Backend backend) {
        return new SweepRow(cell.model(), backend.name(), r.spec().policy(), r.spec().displayLabel(),
                r.budget() == null ? Map.of() : SweepConfig.options(r.spec(), r.budget()), r.budget(), cell.task(),
                prompt.type().name(), prompt.reportedLength(cell), cell.depth(), cell.seed(), cell.sample(), score,
                res.tokensKeptPerLayer(), res.kvBytes(), res.fullKvBytes(), res.kvBytes() / (double) res.fullKvBytes(),
                res.prefillMillis(), res.compressMillis(), res.decodeMillis(), res.tokens().length, res.text(),
                prompt.expected(), prompt.valueSpan());
    }

    public static Path modelPath(String model) {
        return "default".equals(model) ? DefaultModel.path() : Path.of(model);
    }
}
