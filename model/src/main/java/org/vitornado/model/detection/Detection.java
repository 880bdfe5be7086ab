package org.vitornado.model.detection;

/**
 * One detection: a box {@code (x0, y0, x1, y1)} in pixels (float32, no "+1" convention), its score (the class
 * probability), its class (0-based, detectron2's contiguous id) and the proposal it came from.
 */
public record Detection(float x0, float y0, float x1, float y1, float score, int classId, int proposal) {

    /** The same detection with its box scaled (detectron2's {@code detector_postprocess}: {@code Boxes.scale}). */
    public Detection scaled(float sx, float sy) {
        return new Detection(x0 * sx, y0 * sy, x1 * sx, y1 * sy, score, classId, proposal);
    }

    /** Clipped to a {@code height x width} image ({@code Boxes.clip}). */
    public Detection clipped(int height, int width) {
        return new Detection(RpnProposals.clamp(x0, width), RpnProposals.clamp(y0, height), RpnProposals.clamp(x1, width),
                RpnProposals.clamp(y1, height), score, classId, proposal);
    }

    /** {@code Boxes.nonempty()}: both sides longer than 0. */
    public boolean nonEmpty() {
        return x1 - x0 > 0 && y1 - y0 > 0;
    }

    public float width() {
        return x1 - x0;
    }

    public float height() {
        return y1 - y0;
    }
}
