package org.vitornado.kernels;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Box regression as detectron2's {@code Box2BoxTransform.apply_deltas} decodes it, in float32 (detectron2 decodes in
 * float32 even in a float64 model). A box is {@code (x0, y0, x1, y1)} in input pixels, with no "+1" convention:
 * <pre>
 *   w  = x1 - x0,   cx = x0 + 0.5 w                  (y, h alike)
 *   dx = deltas.dx / wx,   dw = min(deltas.dw / ww, clamp)
 *   cx' = dx w + cx,   w' = exp(dw) w,   box' = (cx' - 0.5 w', cy' - 0.5 h', cx' + 0.5 w', cy' + 0.5 h')
 * </pre>
 * <p>Float64 reference: {@link org.vitornado.reference.BoxDecode}.
 */
public final class BoxKernels {

    private BoxKernels() {
    }

    /**
     * The RPN's proposals: {@code boxes[i] = decode(anchors[i % anchorsPerImage], deltas[i])} for {@code count} boxes
     * of rows of 4 (the anchors are the same for every image of the batch).
     * Grid: one {@code @Parallel} loop over the boxes.
     */
    public static void decodeAnchors(FloatArray deltas, FloatArray anchors, FloatArray boxes, int count, int anchorsPerImage, float wx, float wy,
            float ww, float wh, float clamp) {
        for (@Parallel int i = 0; i < count; i++) {
            int a = (i % anchorsPerImage) * 4;
            decode(deltas, i * 4, anchors.get(a), anchors.get(a + 1), anchors.get(a + 2), anchors.get(a + 3), boxes, i * 4, wx, wy, ww, wh, clamp);
        }
    }

    /**
     * The box head's class-specific boxes: for ROI {@code r} (rows of {@code RoiAlignKernels.FIELDS}) and class
     * {@code k}, {@code boxes[r, k] = clip(decode(roi box, deltas[r, k]))}, clipped to the size of the ROI's image
     * ({@code imageSizes[image] = (height, width)}) as {@code Boxes.clip} does.
     * Grid: one {@code @Parallel} loop over {@code rois * classes}.
     */
    public static void decodeClipped(FloatArray deltas, FloatArray rois, FloatArray imageSizes, FloatArray boxes, int count, int classes, float wx,
            float wy, float ww, float wh, float clamp) {
        for (@Parallel int i = 0; i < count * classes; i++) {
            int r = i / classes;
            int row = r * 6;
            decode(deltas, i * 4, rois.get(row + 2), rois.get(row + 3), rois.get(row + 4), rois.get(row + 5), boxes, i * 4, wx, wy, ww, wh, clamp);
            int image = (int) rois.get(row);
            float h = imageSizes.get(image * 2);
            float w = imageSizes.get(image * 2 + 1);
            boxes.set(i * 4, TornadoMath.min(TornadoMath.max(boxes.get(i * 4), 0.0f), w));
            boxes.set(i * 4 + 1, TornadoMath.min(TornadoMath.max(boxes.get(i * 4 + 1), 0.0f), h));
            boxes.set(i * 4 + 2, TornadoMath.min(TornadoMath.max(boxes.get(i * 4 + 2), 0.0f), w));
            boxes.set(i * 4 + 3, TornadoMath.min(TornadoMath.max(boxes.get(i * 4 + 3), 0.0f), h));
        }
    }

    /** One box: {@code out[o..o+3] = decode((x0, y0, x1, y1), deltas[d..d+3])}. */
    static void decode(FloatArray deltas, int d, float x0, float y0, float x1, float y1, FloatArray out, int o, float wx, float wy, float ww,
            float wh, float clamp) {
        float w = x1 - x0;
        float h = y1 - y0;
        float cx = x0 + 0.5f * w;
        float cy = y0 + 0.5f * h;
        float dx = deltas.get(d) / wx;
        float dy = deltas.get(d + 1) / wy;
        float dw = TornadoMath.min(deltas.get(d + 2) / ww, clamp);
        float dh = TornadoMath.min(deltas.get(d + 3) / wh, clamp);
        float pcx = dx * w + cx;
        float pcy = dy * h + cy;
        float pw = TornadoMath.exp(dw) * w;
        float ph = TornadoMath.exp(dh) * h;
        out.set(o, pcx - 0.5f * pw);
        out.set(o + 1, pcy - 0.5f * ph);
        out.set(o + 2, pcx + 0.5f * pw);
        out.set(o + 3, pcy + 0.5f * ph);
    }
}
