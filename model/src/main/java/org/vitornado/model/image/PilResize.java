package org.vitornado.model.image;

/**
 * {@code PIL.Image.resize} of an 8-bit image, bit for bit as Pillow 9.4 computes it ({@code libImaging/Resample.c},
 * {@code Geometry.c}), because that is what timm's and Hugging Face's preprocessing feed the model:
 * <ul>
 * <li>filters other than nearest: per axis, the filter (stretched by the scale when shrinking) gives each output
 * pixel its taps, normalised to sum 1 and turned into 22-bit fixed point; a horizontal pass writes 8-bit rows
 * (rounded and clipped), then a vertical pass reads them;</li>
 * <li>nearest: the affine "scale" transform, with its source positions accumulated in double.</li>
 * </ul>
 * Channels are independent; values are the integers 0..255 held as floats.
 */
final class PilResize {

    /** Fixed-point bits of the 8-bit passes: 32 - 8 - 2 (room for negative lobes and overshoot). */
    private static final int PRECISION_BITS = 32 - 8 - 2;

    private PilResize() {
    }

    static Planar resize(Planar in, int outH, int outW, Interpolation filter) {
        if (outH == in.height() && outW == in.width()) {
            return in; // Image.resize returns a copy of an image already that size
        }
        if (filter == Interpolation.NEAREST) {
            return nearest(in, outH, outW);
        }
        Taps tx = Taps.of(in.width(), outW, filter);
        Taps ty = Taps.of(in.height(), outH, filter);
        int channels = in.channels();
        float[] src = in.data();
        int rows = in.height();
        int width = in.width();
        int firstRow = 0;
        if (outW != in.width()) {
            // Only the rows the vertical pass will read are resampled horizontally.
            firstRow = ty.first[0];
            int lastRow = ty.first[outH - 1] + ty.count[outH - 1];
            rows = lastRow - firstRow;
            float[] horizontal = new float[channels * rows * outW];
            for (int c = 0; c < channels; c++) {
                for (int y = 0; y < rows; y++) {
                    int row = (c * in.height() + firstRow + y) * in.width();
                    for (int x = 0; x < outW; x++) {
                        int acc = 1 << (PRECISION_BITS - 1);
                        for (int k = 0; k < tx.count[x]; k++) {
                            acc += (int) src[row + tx.first[x] + k] * tx.fixed[x][k];
                        }
                        horizontal[(c * rows + y) * outW + x] = clip8(acc);
                    }
                }
            }
            src = horizontal;
            width = outW;
        }
        if (outH == in.height()) {
            return new Planar(channels, rows, width, src);
        }
        float[] out = new float[channels * outH * width];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < outH; y++) {
                int first = ty.first[y] - firstRow;
                for (int x = 0; x < width; x++) {
                    int acc = 1 << (PRECISION_BITS - 1);
                    for (int k = 0; k < ty.count[y]; k++) {
                        acc += (int) src[(c * rows + first + k) * width + x] * ty.fixed[y][k];
                    }
                    out[(c * outH + y) * width + x] = clip8(acc);
                }
            }
        }
        return new Planar(channels, outH, width, out);
    }

    private static float clip8(int acc) {
        int v = acc >> PRECISION_BITS;
        return v < 0 ? 0 : Math.min(v, 255);
    }

    /** {@code ImagingScaleAffine}: source position {@code scale (x + 0.5)}, accumulated as Pillow does, truncated. */
    private static Planar nearest(Planar in, int outH, int outW) {
        int[] xs = positions(in.width(), outW);
        int[] ys = positions(in.height(), outH);
        float[] out = new float[in.channels() * outH * outW];
        for (int c = 0; c < in.channels(); c++) {
            for (int y = 0; y < outH; y++) {
                for (int x = 0; x < outW; x++) {
                    out[(c * outH + y) * outW + x] = in.get(c, ys[y], xs[x]);
                }
            }
        }
        return new Planar(in.channels(), outH, outW, out);
    }

    private static int[] positions(int in, int out) {
        double scale = (double) in / out;
        double o = scale * 0.5;
        int[] p = new int[out];
        for (int i = 0; i < out; i++) {
            p[i] = Math.min((int) o, in - 1);
            o += scale;
        }
        return p;
    }

    /** Pillow's {@code precompute_coeffs} and {@code normalize_coeffs_8bpc} for one axis. */
    private record Taps(int[] first, int[] count, int[][] fixed) {

        static Taps of(int in, int out, Interpolation filter) {
            double scale = (double) in / out;
            double filterScale = Math.max(scale, 1.0);
            double support = filter.support * filterScale;
            int[] first = new int[out];
            int[] count = new int[out];
            int[][] fixed = new int[out][];
            for (int xx = 0; xx < out; xx++) {
                double center = (xx + 0.5) * scale;
                double ss = 1.0 / filterScale;
                int xmin = Math.max((int) (center - support + 0.5), 0);
                int xmax = Math.min((int) (center + support + 0.5), in) - xmin;
                double[] k = new double[Math.max(xmax, 0)];
                double ww = 0.0;
                for (int x = 0; x < k.length; x++) {
                    k[x] = filter.weight((x + xmin - center + 0.5) * ss);
                    ww += k[x];
                }
                fixed[xx] = new int[k.length];
                for (int x = 0; x < k.length; x++) {
                    double w = ww != 0.0 ? k[x] / ww : k[x];
                    fixed[xx][x] = w < 0 ? (int) (-0.5 + w * (1 << PRECISION_BITS)) : (int) (0.5 + w * (1 << PRECISION_BITS));
                }
                first[xx] = xmin;
                count[xx] = k.length;
            }
            return new Taps(first, count, fixed);
        }
    }
}
