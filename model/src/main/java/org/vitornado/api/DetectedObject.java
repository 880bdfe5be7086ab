package org.vitornado.api;

/**
 * One detected object: its class, score and box {@code (x0, y0) - (x1, y1)} in the image's pixels (continuous
 * coordinates: a box covering pixel columns 0..9 is {@code x0 = 0, x1 = 10}), and its instance mask when asked for.
 *
 * @param classId the class index (detectron2's contiguous id: 0..79 for COCO)
 * @param label   the class name from the checkpoint's config, or {@code class N}
 * @param mask    the instance mask, or {@code null}
 */
public record DetectedObject(int classId, String label, float score, float x0, float y0, float x1, float y1, InstanceMask mask) {

    public float width() {
        return x1 - x0;
    }

    public float height() {
        return y1 - y0;
    }
}
