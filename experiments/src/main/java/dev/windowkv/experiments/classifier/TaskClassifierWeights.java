package dev.windowkv.experiments.classifier;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The learned task classifier as shipped: the logistic head on all-MiniLM-L6-v2 embeddings
 * (label 1 = QA) and how it was trained, as a small JSON file.
 *
 * @param embedding       the sentence embedding the head reads
 * @param positiveLabel   the {@code TaskType} of label 1
 * @param seed            the seed of prompt generation and the train/held-out split
 * @param trainSize       prompts trained on
 * @param heldOutSize     prompts held out
 * @param heldOutAccuracy accuracy on the held-out prompts
 */
public record TaskClassifierWeights(
        String embedding,
        String positiveLabel,
        long seed,
        int trainSize,
        int heldOutSize,
        double heldOutAccuracy,
        double[] mean,
        double[] scale,
        double[] weights,
        double bias) {

    /** Where the shipped weights live, next to this class. */
    public static final String RESOURCE = "task-classifier.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public LogisticRegression head() {
        return new LogisticRegression(mean, scale, weights, bias);
    }

    public static TaskClassifierWeights loadShipped() {
        try (InputStream in = TaskClassifierWeights.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the shipped task classifier " + RESOURCE + " is missing; run TrainTaskClassifier");
            }
            return JSON.readValue(in, TaskClassifierWeights.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Weights written by {@code train-classifier --out FILE}. */
    public static TaskClassifierWeights load(Path file) {
        if (!Files.exists(file)) {
            throw new ClassifierWeightsError("classifier weights not found: " + file + "; write them with train-classifier --out FILE");
        }
        if (!Files.isRegularFile(file)) throw new ClassifierWeightsError("classifier weights " + file + " is not a file");
        TaskClassifierWeights w;
        try {
            w = JSON.readValue(file.toFile(), TaskClassifierWeights.class);
        } catch (IOException e) {
            String why = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            throw new ClassifierWeightsError("classifier weights " + file + " are not weights JSON from train-classifier (" + why + ")");
        }
        if (w == null || w.weights == null || w.mean == null || w.scale == null
                || w.mean.length != w.weights.length || w.scale.length != w.weights.length) {
            throw new ClassifierWeightsError("classifier weights " + file + " lack mean, scale or weights of one length; "
                    + "write them with train-classifier --out FILE");
        }
        return w;
    }

    public void write(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        JSON.writeValue(file.toFile(), this);
    }
}
