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
            for (String taskName : config.tasks()) {
                boolean needle = !TaskSuite.byName(taskName).type().name().equals("AGGREGATION");
                for (int length : config.lengths()) {
                    List<Double> depths = needle ? config.depths() : java.util.Collections.singletonList((Double) null);
                    for (Double depth : depths) {
                        for (int s = 0; s < config.samples(); s++) {
                            cells.add(Cell.of(model, taskName, length, depth, s, config.seed()));
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
                    Task task = TaskSuite.byName(cell.task());
                    TaskSample sample = task.generate(model.tokenizer(),
                            new SampleSpec(cell.length(), cell.depth() == null ? 0.0 : cell.depth(), cell.seed(), haystack));
                    int[] tokens = model.tokenizer().encode(sample.prompt(), true, false);
                    int maxNew = config.maxNewTokens() != null ? config.maxNewTokens() : sample.maxNewTokens();
                    Generator gen = new Generator(model, backend);
                    PrefillCapture capture = gen.capture(tokens);
                    Generator.Settings settings = new Generator.Settings(maxNew, Sampler.greedy(), dtype, false);
                    for (Run r : todo) {
                        Generator.Result res = gen.generate(capture, tokens, settings, r.policy(), sample.type(), null);
                        double score = task.score(res.text(), sample.expected());
                        results.append(row(cell, sample, r, res, score, model, backend));
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

    private SweepRow row(Cell cell, TaskSample sample, Run r, Generator.Result res, double score, Model model, Backend backend) {
        return new SweepRow(cell.model(), backend.name(), r.spec().policy(), r.spec().displayLabel(),
                r.budget() == null ? Map.of() : SweepConfig.options(r.spec(), r.budget()), r.budget(), cell.task(),
                sample.type().name(), res.promptTokens().length, cell.depth(), cell.seed(), cell.sample(), score,
                res.tokensKeptPerLayer(), res.kvBytes(), res.fullKvBytes(), res.kvBytes() / (double) res.fullKvBytes(),
                res.prefillMillis(), res.compressMillis(), res.decodeMillis(), res.tokens().length, res.text(),
                sample.expected());
    }

    static Path modelPath(String model) {
        return "default".equals(model) ? DefaultModel.path() : Path.of(model);
    }
}
