package org.vitornado.model.detection;

import java.util.Arrays;

/**
 * detectron2's {@code find_top_rpn_proposals} at test time, for one image, on the host: the RPN head's logits and the
 * boxes its deltas decode to (on the device) come in per level; out come the proposals.
 * <ol>
 * <li>per level, the {@code pre_nms_topk} largest logits ({@code torch.topk}), levels concatenated p2, p3, ...;</li>
 * <li>non-finite boxes or logits dropped, boxes clipped to the image (its unpadded size), empty boxes
 * (side {@code <= min_box_size}) dropped;</li>
 * <li>NMS within each level, survivors by descending logit across levels, the first {@code post_nms_topk} kept.</li>
 * </ol>
 *
 * @param topkIndices per level, the indices of its top-k anchors, by descending logit
 * @param nmsKeep     the NMS survivors, as indices into the NMS input (top-k boxes of every level, clipped, non-empty)
 * @param boxes       the proposals {@code [count, 4]} (x0, y0, x1, y1), by descending logit
 * @param logits      their objectness logits
 */
public record RpnProposals(int[][] topkIndices, int[] nmsKeep, float[] boxes, float[] logits, int count) {

    /**
     * @param logits per level, {@code [H * W * A]} logits of this image, in anchor order
     * @param boxes  per level, {@code [H * W * A, 4]} decoded boxes of this image
     */
    public static RpnProposals find(float[][] logits, float[][] boxes, int imageH, int imageW, MaskRcnnConfig.Rpn c) {
        int levels = logits.length;
        int[][] topk = new int[levels][];
        int total = 0;
        for (int l = 0; l < levels; l++) {
            topk[l] = TopK.descending(logits[l], 0, logits[l].length, c.preNmsTopk());
            total += topk[l].length;
        }
        float[] candBoxes = new float[total * 4];
        float[] candScores = new float[total];
        int[] candLevels = new int[total];
        int n = 0;
        for (int l = 0; l < levels; l++) {
            for (int i : topk[l]) {
                float[] b = {boxes[l][4 * i], boxes[l][4 * i + 1], boxes[l][4 * i + 2], boxes[l][4 * i + 3]};
                float s = logits[l][i];
                if (!Float.isFinite(s) || !Float.isFinite(b[0]) || !Float.isFinite(b[1]) || !Float.isFinite(b[2]) || !Float.isFinite(b[3])) {
                    continue;
                }
                // Boxes.clip, then Boxes.nonempty(min_box_size).
                b[0] = clamp(b[0], imageW);
                b[1] = clamp(b[1], imageH);
                b[2] = clamp(b[2], imageW);
                b[3] = clamp(b[3], imageH);
                if (!(b[2] - b[0] > c.minBoxSize() && b[3] - b[1] > c.minBoxSize())) {
                    continue;
                }
                System.arraycopy(b, 0, candBoxes, 4 * n, 4);
                candScores[n] = s;
                candLevels[n] = l;
                n++;
            }
        }
        int[] keep = Nms.batched(candBoxes, candScores, candLevels, n, c.nmsThresh());
        int count = Math.min(keep.length, c.postNmsTopk());
        float[] outBoxes = new float[count * 4];
        float[] outLogits = new float[count];
        for (int i = 0; i < count; i++) {
            System.arraycopy(candBoxes, 4 * keep[i], outBoxes, 4 * i, 4);
            outLogits[i] = candScores[keep[i]];
        }
        return new RpnProposals(topk, keep, outBoxes, outLogits, count);
    }

    static float clamp(float v, int max) {
        return Math.min(Math.max(v, 0.0f), (float) max);
    }

    @Override
    public String toString() {
        return "RpnProposals[" + count + " proposals, " + Arrays.stream(topkIndices).mapToInt(a -> a.length).sum() + " top-k candidates]";
    }
}
