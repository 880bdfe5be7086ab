package org.vitornado.model.detection;

/**
 * detectron2's {@code DefaultAnchorGenerator} with one size per level: at level {@code l}, for every cell
 * {@code (y, x)} of its {@code H x W} map and every aspect ratio {@code r}, the anchor
 * <pre>
 *   w = sqrt(size^2 / r),  h = r w,   cell anchor = (-w/2, -h/2, w/2, h/2)
 *   anchor = cell anchor + ((x + offset) stride, (y + offset) stride) on both corners
 * </pre>
 * in float32 (detectron2's {@code Boxes} are float32), flattened in {@code (y, x, r)} order: the order of the RPN
 * head's outputs, so anchor {@code i} pairs with logit {@code i} and deltas {@code 4i..4i+3}.
 */
public final class AnchorGenerator {

    private AnchorGenerator() {
    }

    /** The cell anchors of one level, {@code [ratios, 4]} (computed in double, stored as float32, as detectron2 does). */
    public static float[] cellAnchors(float size, float[] aspectRatios) {
        float[] out = new float[aspectRatios.length * 4];
        double area = (double) size * size;
        for (int a = 0; a < aspectRatios.length; a++) {
            double w = Math.sqrt(area / aspectRatios[a]);
            double h = aspectRatios[a] * w;
            out[a * 4] = (float) (-w / 2.0);
            out[a * 4 + 1] = (float) (-h / 2.0);
            out[a * 4 + 2] = (float) (w / 2.0);
            out[a * 4 + 3] = (float) (h / 2.0);
        }
        return out;
    }

    /** Every anchor of a {@code height x width} level, {@code [height * width * ratios, 4]}. */
    public static float[] gridAnchors(int height, int width, int stride, float offset, float size, float[] aspectRatios) {
        float[] cell = cellAnchors(size, aspectRatios);
        int a = aspectRatios.length;
        float[] out = new float[height * width * a * 4];
        for (int y = 0; y < height; y++) {
            float sy = offset * stride + y * (float) stride;
            for (int x = 0; x < width; x++) {
                float sx = offset * stride + x * (float) stride;
                for (int r = 0; r < a; r++) {
                    int o = ((y * width + x) * a + r) * 4;
                    out[o] = sx + cell[r * 4];
                    out[o + 1] = sy + cell[r * 4 + 1];
                    out[o + 2] = sx + cell[r * 4 + 2];
                    out[o + 3] = sy + cell[r * 4 + 3];
                }
            }
        }
        return out;
    }
}
