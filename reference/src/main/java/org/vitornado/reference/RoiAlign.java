package org.vitornado.reference;

/**
 * ROIAlign as detectron2's {@code ROIAlignV2} runs it: a float64 transcription of torchvision's
 * {@code roi_align_forward_kernel_impl} with {@code aligned=True} and {@code sampling_ratio=0} (an adaptive grid of
 * {@code ceil(roi / pooled)} samples per bin and side), on a channels-last map.
 */
public final class RoiAlign {

    /** Floats per ROI row: {@code (image, level, x0, y0, x1, y1)}, the box in input pixels (as {@code RoiAlignKernels.FIELDS}). */
    public static final int FIELDS = 6;

    private RoiAlign() {
    }

    /**
     * One ROI, row {@code roi} of {@code rois [count, FIELDS]}, pooled from its image of
     * {@code map [images, height, width, channels]}: with {@code box = (x0, y0, x1, y1) * scale - 0.5},
     * {@code bin = size / pooled}, {@code grid = ceil(size / pooled)} per side,
     * {@code out[ph, pw, c] = sum_{iy, ix} bilinear(box.y0 + ph binH + (iy + 0.5) binH / gridH, box.x0 + pw binW + (ix + 0.5) binW / gridW)
     * / max(gridH gridW, 1)}; {@code out [pooled, pooled, channels]}. The row's level field is not read: the kernel
     * pools only the rows of its level and must leave the others untouched. Reference for
     * {@code RoiAlignKernels.roiAlign}.
     */
    public static double[] roiAlign(float[] map, float[] rois, int roi, int height, int width, int channels, double scale, int pooled) {
        int image = (int) rois[roi * FIELDS];
        double x0 = rois[roi * FIELDS + 2] * scale - 0.5;
        double y0 = rois[roi * FIELDS + 3] * scale - 0.5;
        double x1 = rois[roi * FIELDS + 4] * scale - 0.5;
        double y1 = rois[roi * FIELDS + 5] * scale - 0.5;
        double roiW = x1 - x0;
        double roiH = y1 - y0;
        double binH = roiH / pooled;
        double binW = roiW / pooled;
        int gridH = (int) Math.ceil(roiH / pooled);
        int gridW = (int) Math.ceil(roiW / pooled);
        double count = Math.max(gridH * gridW, 1);
        double[] out = new double[pooled * pooled * channels];
        for (int ph = 0; ph < pooled; ph++) {
            for (int pw = 0; pw < pooled; pw++) {
                for (int c = 0; c < channels; c++) {
                    double sum = 0;
                    for (int iy = 0; iy < gridH; iy++) {
                        double y = y0 + ph * binH + (iy + 0.5) * binH / gridH;
                        for (int ix = 0; ix < gridW; ix++) {
                            double x = x0 + pw * binW + (ix + 0.5) * binW / gridW;
                            sum += bilinear(map, height, width, channels, image, c, y, x);
                        }
                    }
                    out[(ph * pooled + pw) * channels + c] = sum / count;
                }
            }
        }
        return out;
    }

    /**
     * torchvision's {@code bilinear_interpolate}: channel {@code c} of image {@code image} of
     * {@code map [images, height, width, channels]} at {@code (y, x)} in pixel coordinates; 0 beyond -1 or the map's
     * size, coordinates in the border band clamped to the edge, then the usual four-tap bilinear mix.
     */
    public static double bilinear(float[] map, int height, int width, int channels, int image, int c, double y, double x) {
        if (y < -1.0 || y > height || x < -1.0 || x > width) {
            return 0;
        }
        y = Math.max(y, 0);
        x = Math.max(x, 0);
        int yl = (int) y;
        int xl = (int) x;
        int yh;
        int xh;
        if (yl >= height - 1) {
            yh = yl = height - 1;
            y = yl;
        } else {
            yh = yl + 1;
        }
        if (xl >= width - 1) {
            xh = xl = width - 1;
            x = xl;
        } else {
            xh = xl + 1;
        }
        double ly = y - yl;
        double lx = x - xl;
        double hy = 1 - ly;
        double hx = 1 - lx;
        int base = image * height * width;
        return hy * hx * map[(base + yl * width + xl) * channels + c] + hy * lx * map[(base + yl * width + xh) * channels + c]
                + ly * hx * map[(base + yh * width + xl) * channels + c] + ly * lx * map[(base + yh * width + xh) * channels + c];
    }
}
