package dev.windowkv.experiments.classifier;

/** Text to a fixed-length vector; the learned task classifier's features. */
public interface SentenceEmbedder {
    float[] embed(String text);

    int dimension();
}
