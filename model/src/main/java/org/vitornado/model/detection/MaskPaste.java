package org.vitornado.model.detection;

/**
 * detectron2's {@code paste_masks_in_image} as it runs on the CPU ({@code _do_paste_mask} with
 * {@code skip_empty=True}, one box at a time): a {@code M x M} mask of probabilities is resampled into the box's
 * place in a {@code height x width} image with {@code F.grid_sample} (bilinear, zero padding,
 * {@code align_corners=False}). Only the pixels of {@code [max(floor(x0) - 1, 0), min(ceil(x1) + 1, width))}
 * (and alike for y) are computed; the rest of the image is 0. For pixel {@code (x, y)}:
 * <pre>
 *   gx = (x + 0.5 - x0) / (x1 - x0) * 2 - 1          (float32, as detectron2's grid)
 *   ix = ((gx + 1) M - 1) / 2                        (grid_sample's unnormalisation)
 *   p  = bilinear(mask, iy, ix), taps outside the mask count as 0
 * </pre>
 * and the instance mask is {@code p >= 0.5}.
 *
 * <p>This runs on the host: the pasted size is each image's own (not a size a task graph can freeze), and the region
 * of a box is small next to the image.
 */
public final class MaskPaste {

    /** detectron2's mask threshold. */
    public static final float THRESHOLD = 0.5f;

    /**
     * A pasted mask: probabilities over the region {@code [x, x + width) x [y, y + height)} of an image of
     * {@code imageH x imageW}; 0 elsewhere.
     */
    public record Pasted(int imageH, int imageW, int x, int y, int width, int height, float[] probs) {

        /** The probability at image pixel {@code (px, py)}. */
        public float prob(int px, int py) {
            int rx = px - x;
            int ry = py - y;
            return rx < 0 || ry < 0 || rx >= width || ry >= height ? 0.0f : probs[ry * width + rx];
        }

        public boolean mask(int px, int py) {
            return prob(px, py) >= THRESHOLD;
        }

        /** The mask's pixels in the image, {@code [imageH * imageW]}, row-major. */
        public boolean[] fullMask() {
            boolean[] out = new boolean[imageH * imageW];
            for (int ry = 0; ry < height; ry++) {
                for (int rx = 0; rx < width; rx++) {
                    out[(y + ry) * imageW + x + rx] = probs[ry * width + rx] >= THRESHOLD;
                }
            }
            return out;
        }

        /** The probabilities over the image, {@code [imageH * imageW]}, row-major. */
        public float[] fullProbs() {
            float[] out = new float[imageH * imageW];
            for (int ry = 0; ry < height; ry++) {
                System.arraycopy(probs, ry * width, out, (y + ry) * imageW + x, width);
            }
            return out;
        }

        /** Pixels in the mask. */
        public int area() {
            int n = 0;
            for (float p : probs) {
                n += p >= THRESHOLD ? 1 : 0;
            }
            return n;
        }
    }

    private MaskPaste() {
    }

    /** Pastes {@code mask [m, m]} (probabilities) into the box {@code (x0, y0, x1, y1)} of an {@code imageH x imageW} image. */
    public static Pasted paste(float[] mask, int m, float x0, float y0, float x1, float y1, int imageH, int imageW) {
        int left = Math.max((int) Math.floor(x0) - 1, 0);
        int top = Math.max((int) Math.floor(y0) - 1, 0);
        int right = Math.min((int) Math.ceil(x1) + 1, imageW);
        int bottom = Math.min((int) Math.ceil(y1) + 1, imageH);
        int w = Math.max(right - left, 0);
        int h = Math.max(bottom - top, 0);
        float[] probs = new float[w * h];
        float bw = x1 - x0;
        float bh = y1 - y0;
        double[] ix = new double[w];
        for (int x = 0; x < w; x++) {
            float gx = ((left + x) + 0.5f - x0) / bw * 2 - 1;
            ix[x] = ((gx + 1.0) * m - 1) / 2;
        }
        for (int y = 0; y < h; y++) {
            float gy = ((top + y) + 0.5f - y0) / bh * 2 - 1;
            double iy = ((gy + 1.0) * m - 1) / 2;
            for (int x = 0; x < w; x++) {
                probs[y * w + x] = (float) sample(mask, m, iy, ix[x]);
            }
        }
        return new Pasted(imageH, imageW, left, top, w, h, probs);
    }

    /** {@code grid_sample}'s bilinear tap of an {@code m x m} map at {@code (iy, ix)}, zero outside. */
    static double sample(float[] mask, int m, double iy, double ix) {
        int x0 = (int) Math.floor(ix);
        int y0 = (int) Math.floor(iy);
        double wx1 = ix - x0;
        double wy1 = iy - y0;
        double wx0 = 1 - wx1;
        double wy0 = 1 - wy1;
        return wy0 * (wx0 * at(mask, m, y0, x0) + wx1 * at(mask, m, y0, x0 + 1)) + wy1 * (wx0 * at(mask, m, y0 + 1, x0) + wx1 * at(mask, m, y0 + 1, x0 + 1));
    }

    private static double at(float[] mask, int m, int y, int x) {
        return y < 0 || x < 0 || y >= m || x >= m ? 0.0 : mask[y * m + x];
    }
}
