package org.vitornado.api;

/**
 * One class of a classification.
 *
 * @param index the class index
 * @param label its name from the checkpoint's config ({@code label_names}, {@code id2label}), else {@code class N}
 * @param score its softmax probability
 */
public record Prediction(int index, String label, float score) {
}
