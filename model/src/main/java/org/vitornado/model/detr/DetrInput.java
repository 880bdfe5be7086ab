package org.vitornado.model.detr;

import org.vitornado.model.image.Interpolation;
import org.vitornado.model.image.Planar;

/**
 * An image as DETR's test-time pipeline ({@code datasets/coco.py make_coco_transforms('val')}) gives it to the model:
 * {@code RandomResize([800], max_size=1333)} (PIL bilinear on the 8-bit image, to {@link #resizedSize}), {@code /255},
 * ImageNet mean and std; a batch is then zero-padded at the bottom and right to its largest height and width, with a
 * mask of the padding ({@link DetrMasks}).
 */
public final class DetrInput {

    public static final int SHORT_SIDE = 800;
    public static final int MAX_SIZE = 1333;
    static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    static final float[] STD = {0.229f, 0.224f, 0.225f};

    private DetrInput() {
    }

    /**
     * DETR's {@code get_size_with_aspect_ratio}: the shorter side becomes {@code size}, unless the longer would then pass
     * {@code maxSize}, when the shorter becomes {@code round(maxSize * min / max)} (Python's round, half to even); the
     * other side is {@code int(size * long / short)}, truncated. An image whose shorter side already has the size is
     * kept. {@code {height, width}}.
     */
    public static int[] resizedSize(int height, int width, int size, int maxSize) {
        double min = Math.min(height, width);
        double max = Math.max(height, width);
        int s = size;
        if (max / min * s > maxSize) {
            s = (int) Math.rint(maxSize * min / max);
        }
        if (width <= height && width == s || height <= width && height == s) {
            return new int[] {height, width};
        }
        return width < height ? new int[] {(int) ((long) s * height / (double) width), s} : new int[] {s, (int) ((long) s * width / (double) height)};
    }

    /** An RGB image (0..255, planar) resized and normalised: {@code [3, h, w]}. */
    public static Planar normalized(Planar rgb) {
        int[] hw = resizedSize(rgb.height(), rgb.width(), SHORT_SIDE, MAX_SIZE);
        Planar r = hw[0] == rgb.height() && hw[1] == rgb.width() ? rgb : rgb.resize(hw[0], hw[1], Interpolation.BILINEAR);
        int plane = r.height() * r.width();
        float[] out = new float[3 * plane];
        for (int ch = 0; ch < 3; ch++) {
            for (int i = 0; i < plane; i++) {
                out[ch * plane + i] = (r.data()[ch * plane + i] / 255f - MEAN[ch]) / STD[ch];
            }
        }
        return new Planar(3, r.height(), r.width(), out);
    }

    /** {@code [3, h, w]} images zero-padded at the bottom and right into one batch {@code [B, 3, height, width]}. */
    public static float[] padded(java.util.List<Planar> images, int batch, int height, int width) {
        float[] out = new float[batch * 3 * height * width];
        for (int b = 0; b < images.size(); b++) {
            Planar p = images.get(b);
            for (int ch = 0; ch < 3; ch++) {
                for (int y = 0; y < p.height(); y++) {
                    System.arraycopy(p.data(), (ch * p.height() + y) * p.width(), out, ((b * 3 + ch) * height + y) * width, p.width());
                }
            }
        }
        return out;
    }
}
