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

    public void write(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        JSON.writeValue(file.toFile(), this);
    }
}
