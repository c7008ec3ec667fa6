package dev.windowkv.experiments.classifier;

import dev.windowkv.engine.UserError;

/** A task-classifier weights file that is missing, unreadable or not what {@code train-classifier} writes. */
public class ClassifierWeightsError extends UserError {
    public ClassifierWeightsError(String message) {
        super(message);
    }
}
