package org.vitornado.model.detr;

/**
 * DETR's {@code PostProcess} on the host: per query, softmax over all {@code classes + 1} logits (float64);
 * score and label are the max and argmax over the real classes (the last, "no object", left out); the box
 * {@code (cx, cy, w, h)} (relative to the image's own unpadded size) becomes {@code (cx - w/2, cy - h/2, cx + w/2,
 * cy + h/2) * (W, H, W, H)} in pixels of the original image {@code (H, W)}. No threshold, no NMS: every query is a
 * detection.
 *
 * @param scores [batch, queries]
 * @param labels [batch, queries]
 * @param boxes  [batch, queries, 4], xyxy in original-image pixels
 */
public record DetrPostProcess(float[] scores, int[] labels, float[] boxes) {

    /** {@code logits [batch, queries, classes + 1]}, {@code predBoxes [batch, queries, 4]}, {@code origSizes[b] = {H, W}}. */
    public static DetrPostProcess of(float[] logits, float[] predBoxes, int batch, int queries, int classesPlusOne, int[][] origSizes) {
        float[] scores = new float[batch * queries];
        int[] labels = new int[batch * queries];
        float[] boxes = new float[batch * queries * 4];
        for (int b = 0; b < batch; b++) {
            double h = origSizes[b][0];
            double w = origSizes[b][1];
            for (int q = 0; q < queries; q++) {
                int row = (b * queries + q) * classesPlusOne;
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < classesPlusOne; k++) {
                    max = Math.max(max, logits[row + k]);
                }
                double sum = 0;
                for (int k = 0; k < classesPlusOne; k++) {
                    sum += Math.exp(logits[row + k] - max);
                }
                int best = 0;
                for (int k = 1; k < classesPlusOne - 1; k++) {
                    if (logits[row + k] > logits[row + best]) {
                        best = k;
                    }
                }
                int i = b * queries + q;
                scores[i] = (float) (Math.exp(logits[row + best] - max) / sum);
                labels[i] = best;
                double cx = predBoxes[i * 4];
                double cy = predBoxes[i * 4 + 1];
                double bw = predBoxes[i * 4 + 2];
                double bh = predBoxes[i * 4 + 3];
                boxes[i * 4] = (float) ((cx - 0.5 * bw) * w);
                boxes[i * 4 + 1] = (float) ((cy - 0.5 * bh) * h);
                boxes[i * 4 + 2] = (float) ((cx + 0.5 * bw) * w);
                boxes[i * 4 + 3] = (float) ((cy + 0.5 * bh) * h);
            }
        }
        return new DetrPostProcess(scores, labels, boxes);
    }
}
