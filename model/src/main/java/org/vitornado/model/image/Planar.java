package org.vitornado.model.image;

/**
 * A float image in planar layout {@code [channels, height, width]}, values as the pipeline leaves them
 * (0..255 after decoding, normalised at the end).
 */
public record Planar(int channels, int height, int width, float[] data) {

    public Planar {
        if (data.length != channels * height * width) {
            throw new IllegalArgumentException("planar image data has " + data.length + " values, expected "
                    + channels + "x" + height + "x" + width);
        }
    }

    public float get(int c, int y, int x) {
        return data[(c * height + y) * width + x];
    }

    /** Resizes to {@code outH x outW} with {@code filter}, separably (rows, then columns). */
    public Planar resize(int outH, int outW, Interpolation filter) {
        if (outH == height && outW == width) {
            return this;
        }
        float[] horizontal = new float[channels * height * outW];
        Taps tx = Taps.of(width, outW, filter);
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < height; y++) {
                int row = (c * height + y) * width;
                for (int x = 0; x < outW; x++) {
                    double acc = 0;
                    for (int k = 0; k < tx.count[x]; k++) {
                        acc += tx.weights[x][k] * data[row + tx.first[x] + k];
                    }
                    horizontal[(c * height + y) * outW + x] = (float) acc;
                }
            }
        }
        float[] out = new float[channels * outH * outW];
        Taps ty = Taps.of(height, outH, filter);
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < outH; y++) {
                for (int x = 0; x < outW; x++) {
                    double acc = 0;
                    for (int k = 0; k < ty.count[y]; k++) {
                        acc += ty.weights[y][k] * horizontal[(c * height + ty.first[y] + k) * outW + x];
                    }
                    out[(c * outH + y) * outW + x] = (float) acc;
                }
            }
        }
        return new Planar(channels, outH, outW, out);
    }

    /** The centred {@code outH x outW} window (the image must be at least that large). */
    public Planar centerCrop(int outH, int outW) {
        if (outH > height || outW > width) {
            throw new IllegalArgumentException("cannot crop " + height + "x" + width + " to " + outH + "x" + outW);
        }
        int top = (int) Math.round((height - outH) / 2.0);
        int left = (int) Math.round((width - outW) / 2.0);
        float[] out = new float[channels * outH * outW];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < outH; y++) {
                System.arraycopy(data, (c * height + top + y) * width + left, out, (c * outH + y) * outW, outW);
            }
        }
        return new Planar(channels, outH, outW, out);
    }

    /** Filter taps of a 1-D resize, PIL's {@code precompute_coeffs}. */
    private record Taps(int[] first, int[] count, double[][] weights) {
        static Taps of(int in, int out, Interpolation filter) {
            double scale = (double) in / out;
            double filterScale = Math.max(scale, 1.0);
            double support = filter.support * filterScale;
            int[] first = new int[out];
            int[] count = new int[out];
            double[][] weights = new double[out][];
            for (int i = 0; i < out; i++) {
                double center = (i + 0.5) * scale;
                int lo = Math.max((int) (center - support + 0.5), 0);
                int hi = Math.min((int) (center + support + 0.5), in);
                double[] w = new double[Math.max(hi - lo, 0)];
                double sum = 0;
                for (int j = lo; j < hi; j++) {
                    w[j - lo] = filter.weight((j - center + 0.5) / filterScale);
                    sum += w[j - lo];
                }
                for (int k = 0; k < w.length && sum != 0; k++) {
                    w[k] /= sum;
                }
                first[i] = lo;
                count[i] = w.length;
                weights[i] = w;
            }
            return new Taps(first, count, weights);
        }
    }
}
