package org.vitornado.api;

import org.vitornado.model.detection.CocoRle;
import org.vitornado.model.detection.MaskPaste;

/** An object's mask over its image: the pixels where the pasted mask probability is at least 0.5. */
public final class InstanceMask {

    private final MaskPaste.Pasted pasted;

    InstanceMask(MaskPaste.Pasted pasted) {
        this.pasted = pasted;
    }

    /** Whether pixel {@code (x, y)} belongs to the object. */
    public boolean contains(int x, int y) {
        return pasted.mask(x, y);
    }

    /** The mask probability at pixel {@code (x, y)} (0 outside the box's neighbourhood). */
    public float probability(int x, int y) {
        return pasted.prob(x, y);
    }

    /** Pixels in the mask. */
    public int area() {
        return pasted.area();
    }

    /** The whole mask, {@code [height * width]} row-major. */
    public boolean[] bitmap() {
        return pasted.fullMask();
    }

    /** COCO's compressed RLE of the mask ({@code counts} of {@code {"size": [h, w], "counts": ...}}). */
    public String cocoRle() {
        return CocoRle.compress(CocoRle.counts(bitmap(), pasted.imageH(), pasted.imageW()));
    }

    /** The region where the mask can be non-zero: {@code {x, y, width, height}}. */
    public int[] region() {
        return new int[] {pasted.x(), pasted.y(), pasted.width(), pasted.height()};
    }
}
