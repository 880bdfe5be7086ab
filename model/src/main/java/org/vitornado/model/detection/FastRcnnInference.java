package org.vitornado.model.detection;

/**
 * detectron2's {@code fast_rcnn_inference_single_image}, on the host: from the box head's class probabilities
 * (background last) and its class-specific boxes (decoded and clipped on the device), for one image's proposals:
 * <ol>
 * <li>rows with a non-finite box or score dropped;</li>
 * <li>candidates: every (proposal, class) with probability {@code > test_score_thresh}, row-major;</li>
 * <li>NMS within each class ({@code test_nms_thresh}), survivors by descending score, the first
 * {@code test_topk_per_image} kept.</li>
 * </ol>
 *
 * @param candidates {@code [n, 2]}: (proposal, class) of every candidate
 * @param nmsKeep    indices into the candidates of the detections, by descending score
 */
public record FastRcnnInference(int[] candidates, int[] nmsKeep, Detection[] detections) {

    /**
     * @param probs  {@code [proposals, classes + 1]} probabilities of this image's proposals
     * @param boxes  {@code [proposals, classes, 4]} their class-specific boxes
     */
    public static FastRcnnInference run(float[] probs, float[] boxes, int proposals, int classes, MaskRcnnConfig.RoiHeads c) {
        int[] cand = new int[proposals * classes * 2];
        float[] candBoxes = new float[proposals * classes * 4];
        float[] candScores = new float[proposals * classes];
        int[] candClasses = new int[proposals * classes];
        int n = 0;
        for (int r = 0; r < proposals; r++) {
            if (!finiteRow(probs, r * (classes + 1), classes + 1) || !finiteRow(boxes, r * classes * 4, classes * 4)) {
                continue;
            }
            for (int k = 0; k < classes; k++) {
                float p = probs[r * (classes + 1) + k];
                if (p > c.scoreThresh()) {
                    cand[2 * n] = r;
                    cand[2 * n + 1] = k;
                    System.arraycopy(boxes, (r * classes + k) * 4, candBoxes, 4 * n, 4);
                    candScores[n] = p;
                    candClasses[n] = k;
                    n++;
                }
            }
        }
        int[] keep = Nms.batched(candBoxes, candScores, candClasses, n, c.nmsThresh());
        if (keep.length > c.topkPerImage()) {
            keep = java.util.Arrays.copyOf(keep, c.topkPerImage());
        }
        Detection[] dets = new Detection[keep.length];
        for (int i = 0; i < keep.length; i++) {
            int j = keep[i];
            dets[i] = new Detection(candBoxes[4 * j], candBoxes[4 * j + 1], candBoxes[4 * j + 2], candBoxes[4 * j + 3], candScores[j], candClasses[j],
                    cand[2 * j]);
        }
        return new FastRcnnInference(java.util.Arrays.copyOf(cand, 2 * n), keep, dets);
    }

    private static boolean finiteRow(float[] a, int from, int n) {
        for (int i = from; i < from + n; i++) {
            if (!Float.isFinite(a[i])) {
                return false;
            }
        }
        return true;
    }
}
