package org.vitornado.model.detection;

import org.vitornado.model.image.Interpolation;
import org.vitornado.model.image.Planar;

/**
 * An image as detectron2's test-time pipeline gives it to a ViTDet detector:
 * <ol>
 * <li>{@code ResizeShortestEdge(short_edge_length, max_size)}: PIL bilinear on the 8-bit image, to the size
 * {@link #resizedSize} computes;</li>
 * <li>channels in the model's {@code input_format} (RGB, or BGR for detectron2's own COCO models);</li>
 * <li>{@code (x - pixel_mean) / pixel_std} in float32, then zero padding at the bottom and right to the square
 * {@code square_pad} ({@code ImageList.from_tensors}).</li>
 * </ol>
 * Boxes come back in the resized image's coordinates and are scaled to the original by {@code detector_postprocess}.
 */
public final class DetectionInput {

    private DetectionInput() {
    }

    /** {@code ResizeShortestEdge.get_output_shape}: {@code (height, width)} after the resize. */
    public static int[] resizedSize(int height, int width, int shortEdge, int maxSize) {
        double size = shortEdge;
        double scale = size / Math.min(height, width);
        double newH;
        double newW;
        if (height < width) {
            newH = size;
            newW = scale * width;
        } else {
            newH = scale * height;
            newW = size;
        }
        if (Math.max(newH, newW) > maxSize) {
            double s = maxSize * 1.0 / Math.max(newH, newW);
            newH = newH * s;
            newW = newW * s;
        }
        return new int[] {(int) (newH + 0.5), (int) (newW + 0.5)};
    }

    /**
     * An RGB image (0..255, planar) resized as {@link #resizedSize} says and put in the model's channel order:
     * {@code [3, h, w]}, not yet normalised.
     */
    public static Planar resized(Planar rgb, MaskRcnnConfig.Input input) {
        int[] hw = resizedSize(rgb.height(), rgb.width(), input.shortEdge(), input.maxSize());
        Planar r = hw[0] == rgb.height() && hw[1] == rgb.width() ? rgb : rgb.resize(hw[0], hw[1], Interpolation.BILINEAR);
        if (input.format().equals("BGR")) {
            int plane = r.height() * r.width();
            float[] bgr = new float[3 * plane];
            for (int ch = 0; ch < 3; ch++) {
                System.arraycopy(r.data(), (2 - ch) * plane, bgr, ch * plane, plane);
            }
            r = new Planar(3, r.height(), r.width(), bgr);
        }
        return r;
    }

    /**
     * {@code [3, height, width]} values in the model's channel order, normalised and zero-padded (bottom, right) to
     * {@code [3, side, side]}.
     */
    public static float[] normalizeAndPad(float[] chw, int height, int width, int side, MaskRcnnConfig.Input input) {
        if (height > side || width > side) {
            throw new IllegalArgumentException("an image of " + height + "x" + width + " does not fit the detector's " + side + "x" + side + " input");
        }
        float[] out = new float[3 * side * side];
        for (int ch = 0; ch < 3; ch++) {
            float mean = input.pixelMean()[ch];
            float std = input.pixelStd()[ch];
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    out[(ch * side + y) * side + x] = (chw[(ch * height + y) * width + x] - mean) / std;
                }
            }
        }
        return out;
    }
}
