package org.vitornado.model.detection;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the detector found in one image, in the coordinates of the network's input (the resized image before
 * padding, {@code imageH x imageW}), with the steps that led there.
 *
 * @param boxLevels   the pyramid level (0 = p2) each proposal was pooled from
 * @param classLogits {@code [proposals, K + 1]} box-head logits (kept only by a tracing plan, else {@code null})
 * @param boxDeltas   {@code [proposals, 4K]} box-head deltas (as above)
 * @param maskLevels  the pyramid level each detection's mask was pooled from
 * @param maskLogits  {@code [detections, maskClasses, m, m]} mask logits, NCHW
 */
public record ImageDetections(int imageH, int imageW, RpnProposals proposals, int[] boxLevels, float[] classLogits, float[] boxDeltas,
        FastRcnnInference inference, int[] maskLevels, float[] maskLogits, int maskSize, int maskClasses) {

    /** One final instance at the output size: its box and its pasted mask. */
    public record Instance(Detection detection, MaskPaste.Pasted mask) {
    }

    /** The detections by descending score, in input coordinates. */
    public Detection[] detections() {
        return inference.detections();
    }

    /** {@code sigmoid} of detection {@code i}'s mask for its class, {@code [m, m]}. */
    public float[] maskProbs(int i) {
        int m2 = maskSize * maskSize;
        int channel = maskClasses == 1 ? 0 : detections()[i].classId();
        float[] out = new float[m2];
        int base = (i * maskClasses + channel) * m2;
        for (int p = 0; p < m2; p++) {
            out[p] = (float) (1.0 / (1.0 + Math.exp(-maskLogits[base + p])));
        }
        return out;
    }

    /**
     * detectron2's {@code detector_postprocess} to an {@code outH x outW} image (the original image's size): boxes
     * scaled by output / input size and clipped, empty boxes dropped, masks pasted (with {@code masks}).
     */
    public List<Instance> postprocess(int outH, int outW, boolean masks) {
        float sx = (float) ((double) outW / imageW);
        float sy = (float) ((double) outH / imageH);
        List<Instance> out = new ArrayList<>();
        Detection[] d = detections();
        for (int i = 0; i < d.length; i++) {
            Detection box = d[i].scaled(sx, sy).clipped(outH, outW);
            if (!box.nonEmpty()) {
                continue;
            }
            MaskPaste.Pasted mask = masks ? MaskPaste.paste(maskProbs(i), maskSize, box.x0(), box.y0(), box.x1(), box.y1(), outH, outW) : null;
            out.add(new Instance(box, mask));
        }
        return out;
    }

    /** The reference fixtures' outputs for this image, under {@code prefix}; masks pasted at the input size. */
    void addTo(Map<String, float[]> out, String prefix, List<String> rpnLevels) {
        for (int l = 0; l < rpnLevels.size(); l++) {
            out.put(prefix + "rpn.topk_indices." + rpnLevels.get(l), floats(proposals.topkIndices()[l]));
        }
        out.put(prefix + "rpn.nms_keep", floats(proposals.nmsKeep()));
        out.put(prefix + "proposals.boxes", proposals.boxes());
        out.put(prefix + "proposals.objectness_logits", proposals.logits());
        out.put(prefix + "roi_heads.box_pooler_levels", floats(boxLevels));
        if (classLogits != null) {
            out.put(prefix + "roi_heads.class_logits", classLogits);
            out.put(prefix + "roi_heads.box_deltas", boxDeltas);
        }
        out.put(prefix + "roi_heads.candidates", floats(inference.candidates()));
        out.put(prefix + "roi_heads.nms_keep", floats(inference.nmsKeep()));
        out.put(prefix + "roi_heads.mask_pooler_levels", floats(maskLevels));
        out.put(prefix + "instances.mask_logits", maskLogits);
        List<Instance> instances = postprocess(imageH, imageW, true);
        int n = instances.size();
        float[] boxes = new float[4 * n];
        float[] scores = new float[n];
        float[] classes = new float[n];
        float[] proposalsOf = new float[n];
        int pixels = imageH * imageW;
        float[] probs = new float[n * pixels];
        float[] masks = new float[n * pixels];
        for (int i = 0; i < n; i++) {
            Detection d = instances.get(i).detection();
            boxes[4 * i] = d.x0();
            boxes[4 * i + 1] = d.y0();
            boxes[4 * i + 2] = d.x1();
            boxes[4 * i + 3] = d.y1();
            scores[i] = d.score();
            classes[i] = d.classId();
            proposalsOf[i] = d.proposal();
            float[] p = instances.get(i).mask().fullProbs();
            System.arraycopy(p, 0, probs, i * pixels, pixels);
            for (int q = 0; q < pixels; q++) {
                masks[i * pixels + q] = p[q] >= MaskPaste.THRESHOLD ? 1 : 0;
            }
        }
        out.put(prefix + "instances.boxes", boxes);
        out.put(prefix + "instances.scores", scores);
        out.put(prefix + "instances.classes", classes);
        out.put(prefix + "instances.proposal_indices", proposalsOf);
        out.put(prefix + "instances.mask_probs", probs);
        out.put(prefix + "instances.masks", masks);
    }

    private static float[] floats(int[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }
}
