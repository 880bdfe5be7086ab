package org.vitornado.reference;

/**
 * Box regression as detectron2's {@code Box2BoxTransform.apply_deltas} decodes it, in float64. A box is
 * {@code (x0, y0, x1, y1)} in input pixels, no "+1" convention; deltas are {@code (dx, dy, dw, dh)}, divided by the
 * weights {@code (wx, wy, ww, wh)}, with {@code dw} and {@code dh} clamped above at {@code clamp}
 * (detectron2: {@code log(1000 / 16)}).
 */
public final class BoxDecode {

    private BoxDecode() {
    }

    /**
     * One box: {@code w = x1 - x0}, {@code cx = x0 + w/2} (y, h alike); {@code cx' = dx/wx w + cx},
     * {@code w' = exp(min(dw/ww, clamp)) w}; returns {@code (cx' - w'/2, cy' - h'/2, cx' + w'/2, cy' + h'/2)}. The box
     * is {@code boxes[box .. box + 3]}, the deltas {@code deltas[delta .. delta + 3]}.
     */
    public static double[] applyDeltas(float[] boxes, int box, float[] deltas, int delta, double wx, double wy, double ww, double wh,
            double clamp) {
        double w = boxes[box + 2] - boxes[box];
        double h = boxes[box + 3] - boxes[box + 1];
        double cx = boxes[box] + 0.5 * w;
        double cy = boxes[box + 1] + 0.5 * h;
        double dw = Math.min(deltas[delta + 2] / ww, clamp);
        double dh = Math.min(deltas[delta + 3] / wh, clamp);
        double pcx = deltas[delta] / wx * w + cx;
        double pcy = deltas[delta + 1] / wy * h + cy;
        double pw = Math.exp(dw) * w;
        double ph = Math.exp(dh) * h;
        return new double[] {pcx - 0.5 * pw, pcy - 0.5 * ph, pcx + 0.5 * pw, pcy + 0.5 * ph};
    }

    /** detectron2's {@code Boxes.clip}: x clamped to {@code [0, width]}, y to {@code [0, height]}. */
    public static double[] clip(double[] box, double height, double width) {
        return new double[] {Math.min(Math.max(box[0], 0), width), Math.min(Math.max(box[1], 0), height), Math.min(Math.max(box[2], 0), width),
            Math.min(Math.max(box[3], 0), height)};
    }

    /**
     * The RPN's proposals: {@code boxes[i] = applyDeltas(anchors[i % anchorsPerImage], deltas[i])};
     * {@code deltas [count, 4]}, {@code anchors [anchorsPerImage, 4]} (the same for every image),
     * {@code boxes [count, 4]}. Reference for {@code BoxKernels.decodeAnchors}.
     */
    public static double[] decodeAnchors(float[] deltas, float[] anchors, int count, int anchorsPerImage, double wx, double wy, double ww,
            double wh, double clamp) {
        double[] boxes = new double[count * 4];
        for (int i = 0; i < count; i++) {
            System.arraycopy(applyDeltas(anchors, (i % anchorsPerImage) * 4, deltas, i * 4, wx, wy, ww, wh, clamp), 0, boxes, i * 4, 4);
        }
        return boxes;
    }

    /**
     * The box head's class-specific boxes: for ROI r and class k,
     * {@code boxes[r, k] = clip(applyDeltas(roi box, deltas[r, k]))} to the size of the ROI's image;
     * {@code deltas [count, classes, 4]}, {@code rois [count, RoiAlign.FIELDS]} ({@code (image, level, x0, y0, x1, y1)}),
     * {@code imageSizes [images, 2]} ({@code (height, width)}), {@code boxes [count, classes, 4]}. Reference for
     * {@code BoxKernels.decodeClipped}.
     */
    public static double[] decodeClipped(float[] deltas, float[] rois, float[] imageSizes, int count, int classes, double wx, double wy,
            double ww, double wh, double clamp) {
        double[] boxes = new double[count * classes * 4];
        for (int i = 0; i < count * classes; i++) {
            int roi = i / classes;
            int image = (int) rois[roi * RoiAlign.FIELDS];
            double[] box = applyDeltas(rois, roi * RoiAlign.FIELDS + 2, deltas, i * 4, wx, wy, ww, wh, clamp);
            System.arraycopy(clip(box, imageSizes[2 * image], imageSizes[2 * image + 1]), 0, boxes, i * 4, 4);
        }
        return boxes;
    }
}
