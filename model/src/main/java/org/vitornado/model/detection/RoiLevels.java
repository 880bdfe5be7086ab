package org.vitornado.model.detection;

/**
 * detectron2's {@code assign_boxes_to_levels}: a box of area {@code a} is pooled from level
 * {@code floor(canonical_level + log2(sqrt(a) / canonical_box_size + 1e-8))}, clamped to the pooler's levels, in
 * float32 as detectron2 computes it from its float32 boxes. Returned as an index into the pooler's levels (0 = p2).
 */
public final class RoiLevels {

    private RoiLevels() {
    }

    public static int assign(float x0, float y0, float x1, float y1, MaskRcnnConfig.RoiHeads roi) {
        float area = (x1 - x0) * (y1 - y0);
        float size = (float) Math.sqrt(area);
        float ratio = size / roi.canonicalBoxSize() + 1e-8f;
        float level = (float) Math.floor(roi.canonicalLevel() + (float) (Math.log(ratio) / Math.log(2)));
        int clamped = (int) Math.min(Math.max(level, roi.minLevel()), roi.maxLevel());
        return clamped - roi.minLevel();
    }
}
