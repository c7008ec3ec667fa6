package dev.windowkv.experiments.cli;

import dev.windowkv.engine.model.Model;
import dev.windowkv.experiments.tasks.Haystack;
import dev.windowkv.experiments.tasks.SampleSpec;
import dev.windowkv.experiments.tasks.TaskSample;
import dev.windowkv.experiments.tasks.TaskSuite;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code windowkv task}: prints one sample of a synthetic task (prompt on stdout, answers on stderr). */
@Command(name = "task", mixinStandardHelpOptions = true,
        description = "Print one sample of a synthetic task: the prompt on stdout, its label and expected answers on stderr.")
public final class TaskCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "task: niah_single, niah_single_word, niah_multikey, niah_multivalue, niah_multiquery, vt, cwe, fwe")
    String task;

    @Option(names = "--length", defaultValue = "1024", description = "prompt tokens (default: ${DEFAULT-VALUE})")
    int length;

    @Option(names = "--depth", defaultValue = "0.5", description = "needle depth in [0, 1] (default: ${DEFAULT-VALUE})")
    double depth;

    @Option(names = "--seed", defaultValue = "1")
    long seed;

    @Option(names = "--haystack", defaultValue = "prose", description = "prose or noise (default: ${DEFAULT-VALUE})")
    String haystack;

    @Option(names = "--value-span", description = "tokens each needle value spans, 1-64 (default: the task's own short value)")
    Integer valueSpan;

    @Option(names = "--model", description = "the model whose tokenizer measures the length (default: the shipped model)")
    Path model;

    @Override
    public Integer call() {
        try (Model m = Model.load(model != null ? model : DefaultModel.path())) {
            TaskSample s = TaskSuite.byName(task).generate(m.tokenizer(),
                    new SampleSpec(length, depth, seed, Haystack.byName(haystack), valueSpan));
            System.out.print(s.prompt());
            System.out.flush();
            System.err.println();
            System.err.println("[" + s.task() + " | " + s.type() + " | " + s.actualTokens() + " tokens"
                    + (s.valueSpan() == null ? "" : " | value span " + s.valueSpan() + " tokens") + " | expected " + s.expected() + "]");
        }
        return 0;
    }
}
