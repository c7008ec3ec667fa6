package dev.windowkv.experiments.classifier;

import dev.windowkv.engine.kvcache.TaskType;

/**
 * The learned task classifier: the prompt's all-MiniLM-L6-v2 embedding through a logistic head;
 * QA when p(QA) ≥ 0.5. It stands in for WindowKV's fine-tuned bert-base-cased, whose weights
 * were never published (spec §1.2). It ignores the task name.
 */
public final class PromptTaskClassifier implements TaskClassifier {
    private final SentenceEmbedder embedder;
    private final LogisticRegression head;

    public PromptTaskClassifier(SentenceEmbedder embedder, LogisticRegression head) {
        if (embedder.dimension() != head.dimension()) {
            throw new IllegalArgumentException("embedder gives " + embedder.dimension() + " features, head expects " + head.dimension());
        }
        this.embedder = embedder;
        this.head = head;
    }

    /** The classifier shipped in this jar, on MiniLM. */
    public static PromptTaskClassifier shipped() {
        return new PromptTaskClassifier(new MiniLmEmbedder(), TaskClassifierWeights.loadShipped().head());
    }

    /** The classifier on MiniLM with the head {@code train-classifier} wrote to {@code weights}. */
    public static PromptTaskClassifier fromFile(java.nio.file.Path weights) {
        LogisticRegression head = TaskClassifierWeights.load(weights).head();
        MiniLmEmbedder embedder = new MiniLmEmbedder();
        if (embedder.dimension() != head.dimension()) {
            throw new ClassifierWeightsError("classifier weights " + weights + " have " + head.dimension()
                    + " features, MiniLM gives " + embedder.dimension() + "; retrain with train-classifier");
        }
        return new PromptTaskClassifier(embedder, head);
    }

    public double probabilityQa(String prompt) {
        return head.probability(embedder.embed(prompt));
    }

    public TaskType classify(String prompt) {
        return probabilityQa(prompt) >= 0.5 ? TaskType.QA : TaskType.AGGREGATION;
    }

    @Override
    public TaskType classify(String taskName, String prompt) {
        return classify(prompt);
    }
}
