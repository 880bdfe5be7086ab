package org.vitornado.kernels;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * ROIAlign as detectron2's {@code ROIAlignV2} computes it: torchvision's {@code roi_align(aligned=True)} with
 * {@code sampling_ratio = 0}. A region of interest is a box in input pixels; each of its {@code pooled x pooled} bins
 * is the mean of a {@code ceil(roi_h / pooled) x ceil(roi_w / pooled)} grid of bilinear samples of one pyramid level:
 * <pre>
 *   roi      = box * scale - 0.5                          (aligned: pixel centres at +0.5, no minimum size)
 *   y(iy)    = roi.y0 + ph * bin_h + (iy + 0.5) * bin_h / grid_h      (x alike)
 *   out[ph, pw, c] = sum_{iy, ix} bilinear(map[c], y(iy), x(ix)) / (grid_h * grid_w)
 * </pre>
 * A sample beyond -1 or the map's size counts as 0; one inside the border band is clamped to the edge (torchvision's
 * {@code bilinear_interpolate}).
 *
 * <p>ROIs are rows of {@link #FIELDS} floats, {@code (image, level, x0, y0, x1, y1)}: the host chooses each ROI's
 * pyramid level (detectron2's {@code assign_boxes_to_levels}) and the kernel runs once per level, filling only the
 * rows of its ROIs, so every ROI is pooled from exactly one level.
 * <p>Float64 reference: {@link org.vitornado.reference.RoiAlign}.
 */
public final class RoiAlignKernels {

    /** Floats per ROI row: image index, pyramid level, x0, y0, x1, y1. */
    public static final int FIELDS = 6;

    private RoiAlignKernels() {
    }

    /**
     * Pools the ROIs whose level is {@code level} from {@code map [images, height, width, channels]} (channels-last)
     * into {@code out [rois, pooled, pooled, channels]}; other rows are left as they are.
     * Grid: one {@code @Parallel} loop over {@code rois * pooled * pooled * channels} outputs,
     * {@code i = ((r * pooled + ph) * pooled + pw) * channels + c}: neighbouring work-items read neighbouring channels.
     */
    public static void roiAlign(FloatArray map, FloatArray rois, FloatArray out, int count, int height, int width, int channels, int level,
            float scale, int pooled) {
        for (@Parallel int i = 0; i < count * pooled * pooled * channels; i++) {
            int c = i % channels;
            int bin = i / channels;
            int pw = bin % pooled;
            int ph = (bin / pooled) % pooled;
            int r = bin / (pooled * pooled);
            int row = r * 6;
            if ((int) rois.get(row + 1) == level) {
                int image = (int) rois.get(row);
                float x0 = rois.get(row + 2) * scale - 0.5f;
                float y0 = rois.get(row + 3) * scale - 0.5f;
                float x1 = rois.get(row + 4) * scale - 0.5f;
                float y1 = rois.get(row + 5) * scale - 0.5f;
                float roiW = x1 - x0;
                float roiH = y1 - y0;
                float binH = roiH / pooled;
                float binW = roiW / pooled;
                int gridH = (int) TornadoMath.ceil(roiH / pooled);
                int gridW = (int) TornadoMath.ceil(roiW / pooled);
                int base = image * height * width * channels + c;
                float sum = 0.0f;
                for (int iy = 0; iy < gridH; iy++) {
                    float y = y0 + ph * binH + (iy + 0.5f) * binH / gridH;
                    for (int ix = 0; ix < gridW; ix++) {
                        float x = x0 + pw * binW + (ix + 0.5f) * binW / gridW;
                        sum += bilinear(map, base, height, width, channels, y, x);
                    }
                }
                int samples = TornadoMath.max(gridH * gridW, 1);
                out.set(i, sum / samples);
            }
        }
    }

    /** torchvision's {@code bilinear_interpolate}: channel {@code c} (in {@code base}) of a channels-last map at (y, x). */
    static float bilinear(FloatArray map, int base, int height, int width, int channels, float yIn, float xIn) {
        float value = 0.0f;
        if (yIn >= -1.0f && yIn <= height && xIn >= -1.0f && xIn <= width) {
            float y = TornadoMath.max(yIn, 0.0f);
            float x = TornadoMath.max(xIn, 0.0f);
            int yLow = (int) y;
            int xLow = (int) x;
            int yHigh = yLow + 1;
            int xHigh = xLow + 1;
            if (yLow >= height - 1) {
                yLow = height - 1;
                yHigh = height - 1;
                y = yLow;
            }
            if (xLow >= width - 1) {
                xLow = width - 1;
                xHigh = width - 1;
                x = xLow;
            }
            float ly = y - yLow;
            float lx = x - xLow;
            float hy = 1.0f - ly;
            float hx = 1.0f - lx;
            value = hy * hx * map.get(base + (yLow * width + xLow) * channels) + hy * lx * map.get(base + (yLow * width + xHigh) * channels)
                    + ly * hx * map.get(base + (yHigh * width + xLow) * channels) + ly * lx * map.get(base + (yHigh * width + xHigh) * channels);
        }
        return value;
    }
}
