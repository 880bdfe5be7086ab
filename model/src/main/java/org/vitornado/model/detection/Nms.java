package org.vitornado.model.detection;

import java.util.Arrays;

/**
 * Greedy non-maximum suppression as torchvision's {@code batched_nms} computes it (detectron2 calls it with float32
 * boxes): boxes are visited by descending score; each kept box suppresses every later box of the same group whose
 * IoU with it is strictly greater than the threshold, {@code IoU = inter / (area_a + area_b - inter)} with no "+1".
 * The kept indices come out by descending score. Runs on the host: it is sequential by nature, and its inputs are
 * already few (the top-k of each level, or the boxes over the score threshold).
 */
public final class Nms {

    private Nms() {
    }

    /**
     * Indices of the kept boxes among {@code n} boxes ({@code boxes[4i..4i+3]}, {@code scores[i]}, {@code groups[i]}),
     * by descending score (ties: lower index first).
     */
    public static int[] batched(float[] boxes, float[] scores, int[] groups, int n, float iouThreshold) {
        int[] order = TopK.descending(scores, 0, n, n);
        float[] area = new float[n];
        for (int i = 0; i < n; i++) {
            area[i] = (boxes[4 * i + 2] - boxes[4 * i]) * (boxes[4 * i + 3] - boxes[4 * i + 1]);
        }
        boolean[] suppressed = new boolean[n];
        int[] keep = new int[n];
        int kept = 0;
        for (int oi = 0; oi < n; oi++) {
            int i = order[oi];
            if (suppressed[i]) {
                continue;
            }
            keep[kept++] = i;
            for (int oj = oi + 1; oj < n; oj++) {
                int j = order[oj];
                if (!suppressed[j] && groups[j] == groups[i] && iou(boxes, i, j, area) > iouThreshold) {
                    suppressed[j] = true;
                }
            }
        }
        return Arrays.copyOf(keep, kept);
    }

    /** IoU of boxes {@code i} and {@code j}, in float32 as torchvision's CPU kernel computes it. */
    static float iou(float[] b, int i, int j, float[] area) {
        float w = Math.max(0.0f, Math.min(b[4 * i + 2], b[4 * j + 2]) - Math.max(b[4 * i], b[4 * j]));
        float h = Math.max(0.0f, Math.min(b[4 * i + 3], b[4 * j + 3]) - Math.max(b[4 * i + 1], b[4 * j + 1]));
        float inter = w * h;
        return inter / (area[i] + area[j] - inter);
    }
}
